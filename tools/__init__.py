"""The typed stages (arrows) of the pipeline: readers, kinematics, and later pose,
MotionDTW and KISMAM. Nothing here knows about LLMs, prompts or the UI."""
