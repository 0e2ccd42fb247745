"""run.py -- runs python/tests/test_*.py (unittest) and prints the closing
line "unittest: N passed, N failed, N skipped" (tests/test_python.sh runs it
and adds the counts into its own "test_python: ..." line). A skipped test prints
"SKIP: reason" (numpy or torch missing); under SWIGLU_NO_SKIP=1 the runner
counts skips as failures. Arguments: test name patterns (unittest -k)."""
import os
import sys
import time
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))  # python/: `import swiglu` from the source tree


class Result(unittest.TextTestResult):
    def addSuccess(self, test):
        super().addSuccess(test)
        print("ok %s" % test.id(), flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print("FAIL: %s\n%s" % (test.id(), self._exc_info_to_string(err, test)), flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        print("FAIL: %s (error)\n%s" % (test.id(), self._exc_info_to_string(err, test)),
              flush=True)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print("SKIP: %s: %s" % (test.id(), reason), flush=True)


def main():
    loader = unittest.TestLoader()
    if len(sys.argv) > 1:
        loader.testNamePatterns = ["*%s*" % a for a in sys.argv[1:]]
    suite = loader.discover(here, pattern="test_*.py", top_level_dir=here)
    t0 = time.time()
    with open(os.devnull, "w") as null:
        r = unittest.TextTestRunner(stream=null, resultclass=Result, verbosity=0).run(suite)
    failed = len(r.failures) + len(r.errors) + len(r.unexpectedSuccesses)
    skipped = len(r.skipped)
    passed = r.testsRun - failed - skipped
    print("(%.1f s)" % (time.time() - t0))
    print("unittest: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
