"""tools/build_mmcv_wheel.py's progress lines, on a fake build tree (nothing
is compiled). The script runs before mmca's dependencies are installed, so
its counter lives in the script, which is read here with ``runpy`` (its
``main`` does not run)."""
import os.path as osp
import runpy

import pytest


@pytest.fixture(scope='module')
def script(repo_root):
    return runpy.run_path(osp.join(repo_root, 'tools/build_mmcv_wheel.py'))


def write_build_ninja(build_dir, objects):
    """A build.ninja as torch's BuildExtension writes it: one compile
    target a source, then the link."""
    temp = build_dir / 'temp.linux-x86_64-cpython-311'
    temp.mkdir(parents=True)
    lines = ['ninja_required_version = 1.3', 'rule compile',
             '  command = c++ -c $in -o $out']
    for obj in objects:
        escaped = str(obj).replace(' ', '$ ')
        rule = 'cuda_compile' if obj.stem.endswith('_cuda') else 'compile'
        lines.append(f'build {escaped}: {rule} source.cpp')
    lines.append(f'build {temp}/_ext.so: link '
                 + ' '.join(str(o).replace(' ', '$ ') for o in objects))
    (temp / 'build.ninja').write_text('\n'.join(lines) + '\n')


def test_objects_written_count_against_those_build_ninja_names(
        script, tmp_path):
    compile_progress = script['compile_progress']
    build = tmp_path / 'build'
    assert compile_progress(build) is None          # before the build file
    temp = build / 'temp.linux-x86_64-cpython-311'
    objects = [temp / 'ops' / 'nms.o', temp / 'ops' / 'roi align.o',
               temp / 'ops' / 'pybind.o', temp / 'ops' / 'nms_cuda.o']
    write_build_ninja(build, objects)
    assert compile_progress(build) == (0, 4)
    objects[1].parent.mkdir(parents=True)
    objects[1].write_bytes(b'')                     # a path with a space
    objects[3].write_bytes(b'')                     # a CUDA object
    (temp / 'ops' / 'stray.o').write_bytes(b'')     # not a target: ignored
    assert compile_progress(build) == (2, 4)


def test_progress_line_gives_the_time_left_at_the_rate_so_far(script):
    line = script['progress_line']
    # 190 s for 120 objects: 230 more take 364 s
    assert line(120, 350, 190) == ('120/350 objects, 3m10s elapsed, '
                                   'about 6m left')
    assert line(0, 77, 45) == '0/77 objects, 45s elapsed'
    assert line(76, 77, 300) == ('76/77 objects, 5m00s elapsed, '
                                 'a minute or so left')
    assert line(77, 77, 400) == '77/77 objects, 6m40s elapsed'


def test_a_line_is_due_each_tenth_of_the_objects_and_every_30_s(script):
    report = script['ProgressReport'](start=0.0)
    assert not report.due(5, 100, now=10)
    assert report.due(10, 100, now=12)              # a tenth
    assert not report.due(15, 100, now=20)
    assert not report.due(19, 100, now=41)
    assert report.due(19, 100, now=42)              # 30 s since the last
    assert report.due(35, 100, now=43)              # two tenths at once
    assert not report.due(39, 100, now=44)
    assert report.due(40, 100, now=45)              # exactly four tenths
