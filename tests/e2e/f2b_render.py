# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/e2e/f2b_render.py - what Fail2ban makes of an action file (run with /usr/bin/python3).

  f2b_render.py CONFDIR ACTION [KEY=VALUE ...]

Reads CONFDIR/action.d/ACTION.conf (with its includes and .local files) as a jail
`action = ACTION[KEY=VALUE, ...]` of jail "sshd" would, with Fail2ban's own ActionReader,
hands the result to Fail2ban's own CommandAction as the server does, and drives that action
through a jail's life with executeCmd replaced by a recorder (nothing runs):
for inet4 and then inet6, a ban (which starts the family on demand), an unban, a second
ban, a consistency check, then flush and stop of both families.  Prints one line per command
Fail2ban would hand to /bin/sh, in order, after what the client sends to the server
(every key of the action, as resolved by the reader, sorted):

  set <key> = <value>
  start-on-demand: True|False
  <family> <operation>: <command>

The addresses are 192.0.2.1 / 192.0.2.2 and 2001:db8::1 / 2001:db8::2.  Two action files
that print the same text make Fail2ban run the same commands.
"""
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    confdir, action = sys.argv[1], sys.argv[2]
    init = dict(kv.split("=", 1) for kv in sys.argv[3:])

    import fail2ban.server.action as f2baction
    from fail2ban.client.actionreader import ActionReader
    from fail2ban.server.action import CommandAction

    # Both families, whatever the host's IPv6 (only used with actionstart_on_demand = false).
    f2baction.allowed_ipv6 = lambda: True

    phase = ["none"]
    out = []

    def record(realCmd, timeout=60, **_kw):
        out.append("%s: %s" % (phase[0], realCmd))
        return True

    CommandAction.executeCmd = staticmethod(record)

    class Jail:
        name = "sshd"

        class actions:
            actionInfo = {"ip": ""}  # the "empty ticket" of start, check, flush and stop

    reader = ActionReader(action, "sshd", init, basedir=confdir)
    if not reader.read():
        sys.exit("f2b_render.py: cannot read %s/action.d/%s.conf" % (confdir, action))
    reader.getOptions({})
    act = CommandAction(Jail(), action)
    sent = []
    for cmd in reader.convert():
        if cmd[0] == "multi-set":
            sent += cmd[4]
        elif cmd[0] == "set" and len(cmd) == 6 and cmd[2] == "action":
            sent.append(cmd[4:])
    for k, v in sent:
        setattr(act, k, v)
    for k, v in sorted(sent):
        print("set %s = %s" % (k, v))

    print("start-on-demand: %s" % bool(act._startOnDemand))
    phase[0] = "jail start"
    act.start()
    for fam, ips in (("inet4", ("192.0.2.1", "192.0.2.2")),
                     ("inet6", ("2001:db8::1", "2001:db8::2"))):
        a1 = {"ip": ips[0], "family": fam}
        a2 = {"ip": ips[1], "family": fam}
        phase[0] = fam + " ban"
        act.ban(a1)
        phase[0] = fam + " unban"
        act.unban(a1)
        phase[0] = fam + " ban"
        act.ban(a2)
    phase[0] = "check"
    act.consistencyCheck()
    phase[0] = "flush"
    act.flush()
    phase[0] = "stop"
    act.stop()
    print("\n".join(out))


if __name__ == "__main__":
    main()
