#!/usr/bin/env python3
"""Rewrites the <Compile> list of each device project's .nfproj to the .cs files in its folder.

The device build (build/device) compiles every .cs file under a device project's folder; the
test NfprojTests fails when an .nfproj lists a different set. Run this after adding or removing
a source file:  python3 build/sync_nfproj.py
"""
import os, re, sys

def has_project(folder):
    return any(f.endswith(('.csproj', '.nfproj')) for f in os.listdir(folder))


root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
changed = 0
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = [d for d in dirnames if d not in ('bin', 'obj', '.git')]
    for name in filenames:
        if not name.endswith('.nfproj'):
            continue
        proj = os.path.join(dirpath, name)
        sources = []
        for d, subdirs, files in os.walk(dirpath):
            # Subfolders with a project of their own (hal/Linux, hal/Esp32) are other assemblies.
            subdirs[:] = sorted(s for s in subdirs if s not in ('bin', 'obj') and not has_project(os.path.join(d, s)))
            sources += [os.path.relpath(os.path.join(d, f), dirpath).replace('/', '\\') for f in files if f.endswith('.cs')]
        text = open(proj).read()
        items = ''.join('    <Compile Include="%s" />\n' % s for s in sorted(sources))
        new, n = re.subn(r'  <ItemGroup>\n(    <Compile [^\n]*\n)*  </ItemGroup>\n',
                         lambda m: '  <ItemGroup>\n' + items + '  </ItemGroup>\n', text, count=1)
        if n != 1:
            sys.exit('%s: no <ItemGroup> of <Compile> items found' % proj)
        if new != text:
            open(proj, 'w').write(new)
            changed += 1
            print('updated', os.path.relpath(proj, root))
print('%d project(s) updated' % changed)
