# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import unittest

from trytond.tests.test_tryton import load_doc_tests


def load_tests(*args, **kwargs):
    return load_doc_tests(__name__, __file__, *args, **kwargs)


def test_scenarios():
    "pytest ignores load_tests: run the scenarios through it"
    suite = load_doc_tests(
        __name__, __file__, unittest.TestLoader(), unittest.TestSuite(),
        None)
    result = unittest.TextTestRunner(verbosity=0).run(suite)
    assert suite.countTestCases() > 0
    assert result.wasSuccessful(), result.failures + result.errors
