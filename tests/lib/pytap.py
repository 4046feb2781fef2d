# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/lib/pytap.py - what the Python harnesses of tests/ns share: TAP lines (tap(), with
n_test and failed counting them), and the messages a logger is given (kept())."""
import logging

n_test, failed = [0], [0]


def tap(ok, name, diag=""):
	n_test[0] += 1
	print("%s %d - %s" % ("ok" if ok else "not ok", n_test[0], name))
	if not ok:
		failed[0] += 1
		for line in str(diag).splitlines():
			print("# " + line)


def kept(logger, level=logging.INFO):
	"""A list that gets every message logger logs at level or above, from now on."""
	messages = []

	class Keep(logging.Handler):
		def emit(self, record):
			messages.append(record.getMessage())
	logger.addHandler(Keep())
	logger.setLevel(level)
	return messages
