"""Zone names are parsed in one place (research.timezones.zone) for the catalogue, the registry
and `research new-event`: a tzdata folder, an empty name or a name with a newline is a
ResearchError naming the value, never IsADirectoryError or a traceback."""

from __future__ import annotations

import pytest

from research.errors import ResearchError
from research.securities import COLUMNS, load_registry
from research.timezones import zone

BAD = ["Asia", "America", "Asia/", "", " ", "America/New_York\n", "America/New_York\nx: 1", " Asia/Shanghai",
       "Asia/Beijing", "../../etc/passwd", "/etc/localtime", "zone.tab", "tzdata.zi", "__init__", "Asia\x00"]


class TestTimezones:

    @pytest.mark.parametrize("name", ["America/New_York", "Asia/Shanghai", "Asia/Hong_Kong", "UTC"])
    def test_iana_names_are_zones(self, name):
        assert zone(name).key == name

    @pytest.mark.parametrize("name", BAD)
    def test_anything_else_is_a_research_error_naming_it(self, name):
        with pytest.raises(ResearchError) as info:
            zone(name)
        assert f"unknown timezone {name!r}" in str(info.value)

    def test_a_folder_in_the_catalogue(self, tmp_path):
        from test_events_catalogue import GOOD, load_error

        message = load_error(tmp_path, GOOD.replace("timezone: America/New_York", "timezone: Asia").replace(
            "after_us_close", "date_only"))
        assert "event 'good-event': announced.timezone: unknown timezone 'Asia'" in message

    def test_a_folder_in_the_registry(self, tmp_path):
        path = tmp_path / "securities.csv"
        path.write_text("\n".join([",".join(COLUMNS), "^GSPC,S&P 500,,index,XNYS,,USD,America/New_York,",
                                   "AAA,A,,equity,XNYS,,USD,Asia,^GSPC"]) + "\n", encoding="utf-8")
        with pytest.raises(ResearchError) as info:
            load_registry(path)
        assert str(info.value).startswith(f"{path}, line 3: AAA: unknown timezone 'Asia'")

    @pytest.mark.parametrize("name", ["Asia", "America/New_York\nevents: []"])
    def test_a_folder_or_a_newline_in_new_event(self, tmp_path, capsys, name):
        from research import cli, config

        catalogue = tmp_path / "events.yaml"
        catalogue.write_bytes(config.EVENTS_FILE.read_bytes())
        args = ["new-event", "--id", "tz-test-2023", "--episode", "e1-entity-list-2019", "--title", "T",
                "--announced", "2023-03-15", "--timezone", name, "--precision", "date_only", "--authority", "A",
                "--programme", "entity-list", "--instrument", "entity-list", "--listing", "002230.SZ:designated:iFlytek", "--source", "x.txt",
                "--catalogue", str(catalogue), "--notebooks", str(tmp_path / "nb")]
        assert cli.main(args) == 2
        err = capsys.readouterr().err
        assert f"announced.timezone: unknown timezone {name.strip()!r}" in err and "Traceback" not in err
        assert catalogue.read_bytes() == config.EVENTS_FILE.read_bytes()
        assert not (tmp_path / "nb").exists()
