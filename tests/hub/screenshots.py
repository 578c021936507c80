"""Screenshots of the school server as a student and a teacher see it (headless Chromium).

    sudo PYTHON_WITH_SELENIUM deploy/... : python tests/hub/screenshots.py OUT_DIR

Starts a hub exactly as the hub test does (one teacher, one student; accounts removed
afterwards), releases assignment 1, logs in through the hub's login page and saves:

- ``student-lab.png``: the student's JupyterLab on their own copy of the course;
- ``student-assignments.png``: nbgrader's assignment list in the student's JupyterLab;
- ``teacher-formgrader.png``: formgrader opened as a page of its own through the hub (the fix);
- ``teacher-formgrader-in-lab.png``: formgrader inside JupyterLab's tab, for comparison (the
  blank panel of nbgrader #1870/#1919 under JupyterHub 4.1+);
- ``student-formgrader-403.png``: what a student gets at the formgrader's address.

Chromium may reach 127.0.0.1 only (``--host-resolver-rules``). Needs selenium and chromedriver
(Debian: chromium, chromium-driver); not part of the test suite.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900",
                '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'):  # fmt: skip
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def login(driver, hub, account) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{hub.url}/hub/login")
    driver.find_element(By.ID, "username_input").send_keys(account.name)
    driver.find_element(By.ID, "password_input").send_keys(account.password)
    driver.find_element(By.ID, "login_submit").click()
    time.sleep(2)


def wait_for(driver, css: str, timeout: float = 90):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def open_menu_item(driver, menu: str, item: str) -> None:
    from selenium.webdriver.common.by import By

    for el in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel"):
        if el.text.strip() == menu:
            el.click()
            break
    else:
        raise RuntimeError(f"no menu {menu!r}")
    time.sleep(1)
    for el in driver.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel"):
        if el.text.strip() == item:
            el.click()
            return
    raise RuntimeError(f"no item {item!r} in {menu!r}")


def main(out: str) -> int:
    import harness as H

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    hub = H.install_and_start(n_students=1)
    notes = []
    try:
        teacher, student = hub.teacher, hub.students[0]
        hub.as_user(teacher.name, "sh", "-c", f"cd '{hub.course_dir}' && nbgrader generate_assignment "
                    "a1-health-data --force && nbgrader release_assignment a1-health-data --force")  # fmt: skip
        driver = browser()
        try:
            login(driver, hub, student)
            driver.get(f"{hub.url}/user/{student.name}/lab/tree/my-course/README.md")
            wait_for(driver, ".jp-RenderedMarkdown", 180)
            time.sleep(4)
            driver.save_screenshot(str(folder / "student-lab.png"))
            open_menu_item(driver, "Nbgrader", "Assignment List")
            time.sleep(6)
            driver.save_screenshot(str(folder / "student-assignments.png"))
            driver.get(f"{hub.url}/services/{H.COURSE_ID}/formgrader/")
            time.sleep(3)
            driver.save_screenshot(str(folder / "student-formgrader-403.png"))
            notes.append(f"student at formgrader: title {driver.title!r}")
            driver.delete_all_cookies()
            login(driver, hub, teacher)
            driver.get(f"{hub.url}/services/{H.COURSE_ID}/formgrader/")
            time.sleep(6)
            driver.save_screenshot(str(folder / "teacher-formgrader.png"))
            notes.append(f"teacher at formgrader: {driver.current_url}")
            driver.get(f"{hub.url}/services/{H.COURSE_ID}/lab")
            wait_for(driver, ".lm-MenuBar-itemLabel", 180)
            time.sleep(3)
            open_menu_item(driver, "Nbgrader", "Formgrader")
            time.sleep(8)
            driver.save_screenshot(str(folder / "teacher-formgrader-in-lab.png"))
            logs = [e.get("message", "") for e in driver.get_log("browser")]
            blocked = [m for m in logs if "frame-ancestors" in m]
            notes.append(
                f"formgrader in JupyterLab's frame: {len(blocked)} frame-ancestors refusals"
            )
            notes.extend(m[:300] for m in blocked[:2])
        finally:
            driver.quit()
    finally:
        hub.close()
    (folder / "notes.txt").write_text("\n".join(notes) + "\n")
    print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/work/staging/screens/hub"))
