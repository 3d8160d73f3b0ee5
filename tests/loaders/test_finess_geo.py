"""FINESS coordinates: CRS labels, conversions per territory, choosing among swapped pairs."""

from __future__ import annotations

import pytest

from loaders.finess_geo import (
    GeoPick,
    coordinate_value,
    crs_from_source,
    from_wgs84,
    locate_projected,
    pick_wgs84,
    to_wgs84,
)

# Control values (pyproj, 5 decimals) from the domain notes: EPSG, département, (x, y), (lon, lat).
CONTROL = [
    (2154, "01", (870262.2, 6571540.8), (5.20918, 46.22229)),
    (5490, "9A", (657242.9, 1795384.4), (-61.52874, 16.234)),
    (2972, "9C", (353672.8, 544349.1), (-52.31973, 4.92347)),
    (2975, "9D", (323086.6, 7679599.8), (55.29821, -20.97571)),
    (4471, "9F", (524819.9, 8587194.7), (45.22868, -12.77989)),
    (32621, "9E", (563213.8, 5180306.8), (-56.17201, 46.77332)),
]
CONTROL_IDS = [str(epsg) for epsg, *_ in CONTROL]
# Territories without a control value: Martinique (Fort-de-France), Wallis (Mata-Utu).
PLACES = [(5490, "9B", 14.6065, -61.0742), (32701, "9J", -13.2816, -176.1745)]


@pytest.mark.parametrize(
    ("sourcecoordet", "epsg"),
    [
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.1,LAMBERT_93", 2154),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.1,UTM_N20", 5490),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.1,UTM_N21", 32621),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.1,UTM_N22", 2972),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.1,UTM_S38", 4471),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.1,UTM_S40", 2975),
        ("1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)", 2154),
        ("2,ATLASANTE,96,BAN,EPSG:5490 RGAF09/UTM Zone 20N (Antilles)", 5490),
        ("2,ATLASANTE,93,BAN,EPSG:2972 RGFG95 / UTM zone 22N (Guyane)", 2972),
        ("2,ATLASANTE,94,BAN,EPSG:2975 RGR92 / UTM zone 40S (Réunion)", 2975),
        ("2,ATLASANTE,89,BAN,EPSG:4471 RGM04/UTM zone 38S (Mayotte)", 4471),
        ("2,ATLASANTE,90,BAN,WGS84/UTM zone 21N (St-Pierre-et-Miquelon)", 32621),
        ("4,ATLASANTE,.,MAPS 06-11-2024,WGS84/UTM zone 1S (Wallis-et-Futuna)", 32701),
        ("1,ATLASANTE,96,BAN,L93_METROPOLE", 2154),
        ("2,ATLASANTE,.,ADMIN-EXPRESS-2023,RGR92/UTM zone 40S (Réunion)", 2975),
        ("", None),
        (None, None),
        ("1,ATLASANTE,96,BAN,", None),
        ("1,ATLASANTE,96,BAN,SYSTEME INCONNU", None),
    ],
)
def test_crs_from_source(sourcecoordet: str | None, epsg: int | None) -> None:
    assert crs_from_source(sourcecoordet) == epsg


def test_crs_is_read_by_position_not_by_a_prefix_anywhere() -> None:
    # The geocoder token (4th) says nothing of the CRS; the 5th does.
    assert crs_from_source("1,ATLASANTE,96,EPSG:2975 GEOCODER,WGS84/UTM zone 21N") == 32621


@pytest.mark.parametrize(("epsg", "department", "xy", "lonlat"), CONTROL, ids=CONTROL_IDS)
def test_to_wgs84_matches_the_control_values(epsg, department, xy, lonlat) -> None:
    lat, lon = to_wgs84(*xy, epsg)
    assert (round(lon, 5), round(lat, 5)) == lonlat


@pytest.mark.parametrize(("epsg", "department", "xy", "lonlat"), CONTROL, ids=CONTROL_IDS)
def test_from_wgs84_inverts_to_wgs84(epsg, department, xy, lonlat) -> None:
    x, y = from_wgs84(lonlat[1], lonlat[0], epsg)
    assert x == pytest.approx(xy[0], abs=1.0)
    assert y == pytest.approx(xy[1], abs=1.0)


@pytest.mark.parametrize(("epsg", "department", "lat", "lon"), PLACES)
def test_round_trip_in_the_other_territories(epsg, department, lat, lon) -> None:
    assert to_wgs84(*from_wgs84(lat, lon, epsg), epsg) == pytest.approx((lat, lon), abs=1e-6)


@pytest.mark.parametrize(("epsg", "department", "xy", "lonlat"), CONTROL, ids=CONTROL_IDS)
def test_locate_projected_falls_back_on_the_territory_crs(epsg, department, xy, lonlat) -> None:
    # A wrong label (Lambert-93 for an overseas row, or the reverse) must not move the point.
    wrong = 2975 if epsg == 2154 else 2154
    found = locate_projected(*xy, wrong, department)
    assert found is not None
    assert found.epsg == epsg
    assert (round(found.longitude, 5), round(found.latitude, 5)) == lonlat


def test_locate_projected_refuses_zero_and_unknown_crs() -> None:
    assert locate_projected(0.0, 0.0, 2154, "01") is None
    assert locate_projected(870262.2, 6571540.8, 99999, None) is None  # unknown CRS, no territory
    assert locate_projected(870262.2, 6571540.8, 2154, "9D") is None  # metropolitan point in 9D


def test_pick_reads_the_ans_sample_layout() -> None:
    # March 2026 ANS sample: Lambert-93 northing in coordonneeX, easting in coordonneeY.
    found = pick_wgs84("6570414.61", "873766.07", "46.211257", "5.254203", "01")
    assert found == GeoPick(46.211257, 5.254203, 873766.07, 6570414.61, 2154)


def test_pick_reads_degrees_published_in_coordonnee() -> None:
    found = pick_wgs84("46.211257", "5.254203", "6570414.61", "873766.07", "01")
    assert found == GeoPick(46.211257, 5.254203, 873766.07, 6570414.61, 2154)


def test_pick_reads_swapped_latitude_and_longitude() -> None:
    found = pick_wgs84("873766.07", "6570414.61", "5.254203", "46.211257", "01")
    assert found == GeoPick(46.211257, 5.254203, 873766.07, 6570414.61, 2154)


@pytest.mark.parametrize(("epsg", "department", "xy", "lonlat"), CONTROL, ids=CONTROL_IDS)
@pytest.mark.parametrize("swapped", [False, True])
def test_pick_converts_the_projected_pair_when_degrees_are_unusable(
    epsg, department, xy, lonlat, swapped
) -> None:
    x, y = xy[::-1] if swapped else xy
    found = pick_wgs84(str(x), str(y), "0", "0", department)
    assert found is not None
    assert (found.projected_x, found.projected_y, found.epsg) == (*xy, epsg)
    assert (round(found.longitude, 5), round(found.latitude, 5)) == lonlat


@pytest.mark.parametrize(("epsg", "department", "lat", "lon"), PLACES)
def test_pick_in_the_other_territories(epsg, department, lat, lon) -> None:
    x, y = from_wgs84(lat, lon, epsg)
    found = pick_wgs84(y, x, lon, lat, department)  # both pairs swapped
    assert found == GeoPick(lat, lon, x, y, epsg)


def test_pick_refuses_degrees_outside_the_territory() -> None:
    # Plausible for mainland France, not for La Réunion: converted from the projected pair.
    found = pick_wgs84("323086.6", "7679599.8", "46.211257", "5.254203", "9D")
    assert found is not None
    assert (round(found.latitude, 5), round(found.longitude, 5)) == (-20.97571, 55.29821)


def test_pick_without_département_accepts_any_territory() -> None:
    found = pick_wgs84(None, None, "-20.975711", "55.298207", None)
    assert found == GeoPick(-20.975711, 55.298207, None, None, None)


def test_pick_drops_a_projected_pair_that_does_not_match_the_degrees() -> None:
    found = pick_wgs84("6589480.53", "941342.52", "46.211257", "5.254203", "01")  # 40 km away
    assert found == GeoPick(46.211257, 5.254203, None, None, None)


@pytest.mark.parametrize(
    "values",
    [
        ("0", "0", "0", "0"),
        (None, None, None, None),
        ("", " ", "", ""),
        ("abc", "12,5,3", "nan", "inf"),
        ("6570414.61", "873766.07", "0", "0"),  # right values, wrong territory below
        ("1e400", "-1e400", "91", "181"),
    ],
)
def test_pick_gives_nothing_rather_than_a_wrong_place(values) -> None:
    assert pick_wgs84(*values, "9F") is None


@pytest.mark.parametrize(
    ("value", "number"),
    [("870262.2", 870262.2), (" 46,211257 ", 46.211257), (5.5, 5.5), ("", None), ("nan", None)],
)
def test_coordinate_value(value, number) -> None:
    assert coordinate_value(value) == number
