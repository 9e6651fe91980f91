from mmca.utils.voc_palette import voc_palette


def test_voc_palette_has_the_devkit_colours():
    palette = voc_palette()
    assert palette.shape == (256, 3)
    # background, aeroplane, bicycle, person, and the 255 'void' label
    assert palette[0].tolist() == [0, 0, 0]
    assert palette[1].tolist() == [128, 0, 0]
    assert palette[2].tolist() == [0, 128, 0]
    assert palette[15].tolist() == [192, 128, 128]
    assert palette[255].tolist() == [224, 224, 192]
    assert len({tuple(c) for c in palette.tolist()}) == 256
