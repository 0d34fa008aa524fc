"""The rendering room: every picture and video the CLI, the app, the report and the coach
show, in one place below the agent.

- ``draw``: the skeleton, stick figures, text blocks, verdict colours;
- ``video``: the H.264/VP8 writer (ffmpeg from imageio-ffmpeg) and what a file holds;
- ``overlay``: the pose stage's skeleton-on-video and thumbnails;
- ``figures``: keyframe pictures beside the elite, the angle plot;
- ``annotated``: the annotated video and the side-by-side with the elite;
- ``history``: an athlete's history plot.
"""
