"""Password guessing is slowed: after 10 failures for one address and user name, logins answer 429."""

from tests.test_web import PASSWORD, login


def test_failures_lock_the_login_then_success_is_refused_too(client, world):
    for _ in range(10):
        assert login(client, "office_a", "wrong-password").status_code == 401
    locked = login(client, "office_a", PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.get_data(as_text=True)
    # Another user from the same address is not locked out by office_a's failures.
    assert login(client, "clerk_a1", PASSWORD).status_code == 302


def test_success_clears_the_count(client, world):
    for _ in range(9):
        login(client, "office_a", "wrong-password")
    assert login(client, "office_a", PASSWORD).status_code == 302
    fresh = client.application.test_client()  # a new browser: logged out, same address
    for _ in range(9):
        assert login(fresh, "office_a", "wrong-password").status_code == 401
    assert login(fresh, "office_a", PASSWORD).status_code == 302
