"""pytest configuration shared by the unit tests and `pytest --nbval notebooks/`.

Kernels started by nbval inherit this process's environment: progress bars are turned off there
because their timings differ from run to run (course_utils.training.progress_enabled).
"""

import os

os.environ["COURSE_PROGRESS"] = "0"
