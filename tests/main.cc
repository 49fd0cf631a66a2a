// The doctest runner for all unit tests; each test file holds the behaviour tables of one module.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
