"""``research store check`` and ``research store repair``: the price store's fsck and its mend.

Handlers import the store lazily, so that building the parser stays cheap.
"""

from __future__ import annotations


def add_commands(sub) -> None:
    p = sub.add_parser("store", help="check the price store against its manifest (check), or mend it (repair)")
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    c = actions.add_parser("check", help="list entries whose file is missing, damaged or unreadable, and "
                                         "unreferenced or temporary files; exit 1 if there are any")
    c.set_defaults(handler=cmd_store_check)
    r = actions.add_parser("repair", help="drop entries whose file is missing or damaged (listing them), remove "
                                          "unreferenced and temporary files, rebuild a corrupt manifest")
    r.set_defaults(handler=cmd_store_repair)
    p.set_defaults(handler=lambda args: p.print_help() or 0)


def cmd_store_check(args) -> int:
    from research.prices import PriceStore

    store = PriceStore()
    problems = store.check()
    if not problems:
        count = len(store.manifest()) if store.root.exists() else 0
        print(f"Price store {store.root}: {count} series; every file present, matching its sha256 and "
              f"readable; nothing stray")
        return 0
    print(f"Price store {store.root}: {len(problems)} problem{'s' if len(problems) > 1 else ''}")
    for problem in problems:
        print(f"  {problem}")
    print("`research store repair` drops the entries whose file is missing or damaged (import those series "
          "again), removes unreferenced and temporary files, and rebuilds a bad manifest.")
    return 1


def cmd_store_repair(args) -> int:
    from research.prices import PriceStore

    store = PriceStore()
    repair = store.repair()
    for action in repair.actions:
        print(f"  {action}")
    if repair.dropped:
        print(f"Import these series again: {', '.join(repair.dropped)}")
    left = store.check()
    if left:
        print(f"Price store {store.root}: still {len(left)} problem(s) repair leaves to you:")
        for problem in left:
            print(f"  {problem}")
        return 1
    print(f"Price store {store.root}: {'repaired' if repair.actions else 'nothing to repair'}; "
          f"{len(store.manifest())} series, sound")
    return 0
