"""PyRadiomics 3.0.1 feature values with resampling / preCrop settings on top of filters, for
`tests/tests/resample_features.rs`.

For every params file `variants/<variant>.yaml` next to this script and every case (the public
cases breast1, syn1, syn3 of `tests/fixtures/reference/pyradiomics/data` and the synthetic float32
and int16 volumes of `tests/fixtures/resample`, label 1) it writes `<out>/<variant>/<case>.csv`
(`feature,value`, '%.17g') with every numeric feature PyRadiomics returns, or
`<out>/<variant>/<case>.error.txt` if PyRadiomics raises; and `<out>/<variant>/params.yaml`.

Usage (from the repository root):
    py="$(bash tests/oracles/pyradiomics/install.sh)"
    "$py" tests/oracles/resample/extract_variants.py tests/fixtures/resample/variants [VARIANT ...]
"""
import logging
import os
import shutil
import sys

from radiomics import featureextractor

logging.getLogger('radiomics').setLevel(logging.ERROR)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
PUBLIC = os.path.join(ROOT, 'tests', 'fixtures', 'reference', 'pyradiomics', 'data')
SYNTH = os.path.join(ROOT, 'tests', 'fixtures', 'resample')
CASES = [(c, PUBLIC) for c in ('breast1', 'syn1', 'syn3')] + [(c, SYNTH) for c in ('synth_f32', 'synth_i16')]


def main():
    out = sys.argv[1]
    vdir = os.path.join(HERE, 'variants')
    only = set(sys.argv[2:])  # optional: just these variants
    for f in sorted(os.listdir(vdir)):
        variant = f[:-5]
        if only and variant not in only:
            continue
        odir = os.path.join(out, variant)
        os.makedirs(odir, exist_ok=True)
        shutil.copy(os.path.join(vdir, f), os.path.join(odir, 'params.yaml'))
        ext = featureextractor.RadiomicsFeatureExtractor(os.path.join(vdir, f))
        for case, d in CASES:
            try:
                r = ext.execute(os.path.join(d, case + '_image.nrrd'), os.path.join(d, case + '_label.nrrd'))
            except Exception as e:  # PyRadiomics refuses the case
                with open(os.path.join(odir, case + '.error.txt'), 'w') as fh:
                    fh.write('%s: %s\n' % (type(e).__name__, e))
                continue
            with open(os.path.join(odir, case + '.csv'), 'w') as fh:
                fh.write('feature,value\n')
                for k, v in r.items():
                    if not k.startswith('diagnostics_'):
                        fh.write('%s,%.17g\n' % (k, float(v)))
            print(variant, case, len(r), file=sys.stderr)


if __name__ == '__main__':
    main()
