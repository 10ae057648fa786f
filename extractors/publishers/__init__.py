"""Quirks of single news sources, one small module per source (as fundus keeps one parser per
publisher), so the generic extractors stay generic.

- `cns`, China News Service (and the Chinese-language wires that share its form): the
  "AGENCY, Place, Month Day (Reporters)" dateline and the "Outlet reporter Name, ..." lead;
- `xinhua`, Xinhua News Agency: "(Xinhua/Li Wei)" photo credits and captions ending
  "..., which was filmed in Shanghai on July 26.";
- `peoples_daily`, People's Daily: the page-dump header
  "Headline ( Xinhua ) 09:56, November 18, 2020 Story ...";
- `reuters`, Reuters: the "REUTER" sign-off, "(Reporting by ...; Editing by ...)" lines and
  the archive time stamp.

Each module exports regular-expression sources (or a template filled by the module that uses
it); `extractors.dateline`, `extractors.lead` and `extractors.text` build their patterns from
them. A quirk of a new source goes into a new module here, listed above.
"""
