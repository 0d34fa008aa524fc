from sportsgpt.tools import skeleton as sk


def test_index_skeletons_have_their_sizes() -> None:
    sizes = {name: len(m) for name, m in sk.INDEXED_SKELETONS.items()}
    assert sizes == {
        "mediapipe33": 33,
        "coco17": 17,
        "halpe26": 26,
        "openpose_body25": 25,
        "openpose_coco18": 18,
        "coco_wholebody133": 133,
    }
    for mapping in sk.INDEXED_SKELETONS.values():
        named = [n for n in mapping if n is not None]
        assert len(named) == len(set(named)), "a canonical joint mapped twice"
        assert set(named) <= set(sk.CANONICAL_JOINTS)


def test_mediapipe_feet_and_sides() -> None:
    mp = sk.MEDIAPIPE_33
    assert mp[0] == "nose" and mp[11] == "left_shoulder" and mp[24] == "right_hip"
    assert mp[29] == "left_heel" and mp[32] == "right_toe"


def test_wholebody_feet() -> None:
    wb = sk.COCO_WHOLEBODY_133
    assert wb[:17] == sk.COCO_17
    assert (wb[17], wb[19], wb[20], wb[22]) == ("left_toe", "left_heel", "right_toe", "right_heel")


def test_named_aliases_and_priority() -> None:
    assert sk.canonical_from_name("LeftUpLeg") == "left_hip"
    assert sk.canonical_from_name("right_knee") == "right_knee"
    assert sk.canonical_from_name("Chest") is None
    # CMU: LeftShoulder is the collar, LeftArm the shoulder joint.
    cmu = sk.map_named_joints(["Hips", "LeftShoulder", "LeftArm", "LeftForeArm", "LeftHand"])
    assert cmu == {
        "Hips": "pelvis",
        "LeftArm": "left_shoulder",
        "LeftForeArm": "left_elbow",
        "LeftHand": "left_wrist",
    }
    # Tennis BVH: LeftShoulder is the shoulder (no LeftArm); ankle end site is the toe.
    tennis = sk.map_named_joints(["LeftCollar", "LeftShoulder", "LeftAnkle", "LeftAnkleEnd"])
    assert tennis == {
        "LeftShoulder": "left_shoulder",
        "LeftAnkle": "left_ankle",
        "LeftAnkleEnd": "left_toe",
    }


def test_mirror_name() -> None:
    assert sk.mirror_name("left_knee") == "right_knee"
    assert sk.mirror_name("right_toe") == "left_toe"
    assert sk.mirror_name("neck") == "neck"
