# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/ns/watch_filter.py - what the .py actions' watcher socket receives (tests/ns/watch_filter.sh).

  watch_filter.py CMD [';' CMD]...

Opens two sockets in nf_tables' notification group, one with the watcher's socket filter
(action.d/nfban_action.py: _attach_deletions_filter), one without; runs each CMD (no shell);
then prints what each received, one line per socket:
  filtered: A B ...
  all: A B ...
where each word is one datagram, the nf_tables message types it holds (NFT_MSG_*, decimal)
joined by commas, and "-" for none.
"""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["NFBAN_ROOT"], "action.d"))
import nfban_action  # noqa: E402


def open_sock(filtered):
	s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, nfban_action.NETLINK_NETFILTER)
	if filtered and not nfban_action._attach_deletions_filter(s):
		sys.exit("watch_filter.py: the filter was not attached")
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
	s.bind((0, 1 << (nfban_action.NFNLGRP_NFTABLES - 1)))
	s.setblocking(False)
	return s


def drain(s):
	words = []
	while True:
		try:
			d = s.recv(1 << 16)
		except BlockingIOError:
			return " ".join(words) or "-"
		types, off = [], 0
		while off + 16 <= len(d):
			length = int.from_bytes(d[off:off + 4], sys.byteorder)
			if length < 16:
				break
			types.append(str(int.from_bytes(d[off + 4:off + 6], sys.byteorder) & 0xff))
			off += (length + 3) & ~3
		words.append(",".join(types))


def main():
	cmds, cur = [], []
	for a in sys.argv[1:]:
		if a == ";":
			cmds.append(cur)
			cur = []
		else:
			cur.append(a)
	if cur:
		cmds.append(cur)
	if not cmds:
		sys.exit(__doc__)
	filt, every = open_sock(True), open_sock(False)
	for c in cmds:
		subprocess.run(c, check=True, stdout=subprocess.DEVNULL)
	print("filtered:", drain(filt))
	print("all:", drain(every))


if __name__ == "__main__":
	main()
