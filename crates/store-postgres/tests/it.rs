//! The conformance suite on PostgreSQL, each test on its own fresh database. Runs when
//! SPORTELLO_TEST_POSTGRES_URL is set; says it skipped otherwise (a failure under
//! SPORTELLO_REQUIRE_ALL=1).

store::conformance_tests!(store_postgres::testing::fresh_db());
