# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.laisui_base.tests.tools import scenario_tests

load_tests, test_scenarios = scenario_tests(__name__, __file__)
