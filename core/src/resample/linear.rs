//! `sitkLinear`: ITK `LinearInterpolateImageFunction::EvaluateOptimized` (3-D), in float64.

use super::itk_floor;
use super::Source;

/// Trilinear interpolation of `image` at the continuous index `ci` (inside the buffer), as ITK
/// 5.4 computes it: per axis `b = max(floor(c), 0)` (ITK's SSE `Math::Floor`) and
/// `d = c − b`; an axis takes part only if `d > 0` and `b + 1 < n`; the participating axes are
/// combined x first, then y, then z, each as `a + (b − a)·d` — exactly ITK's branches (e.g. "xy":
/// `v_x00 = v000 + (v100 − v000)·d0`, `v_x10 = …`, `v_x00 + (v_x10 − v_x00)·d1`).
///
/// Reproduces PyRadiomics' `resampleImage` with `interpolator: sitkLinear`.
pub fn evaluate(image: &Source, ci: &[f64; 3]) -> f64 {
    let dims = image.dims();
    let mut base = [0usize; 3];
    let mut dist = [0.0f64; 3];
    let mut active = [false; 3];
    for d in 0..3 {
        let b = itk_floor(ci[d]).max(0);
        let b = (b as usize).min(dims[d].saturating_sub(1));
        base[d] = b;
        dist[d] = ci[d] - b as f64;
        active[d] = dist[d] > 0.0 && b + 1 < dims[d];
    }
    let at = |dx: usize, dy: usize, dz: usize| -> f64 {
        let (x, y, z) = (base[0] + dx, base[1] + dy, base[2] + dz);
        image.get(x + dims[0] * (y + dims[1] * z))
    };
    let lerp = |a: f64, b: f64, d: f64| a + (b - a) * d;
    // Along x for the four (y, z) corners that are needed.
    let ny = usize::from(active[1]) + 1;
    let nz = usize::from(active[2]) + 1;
    let mut plane = [[0.0f64; 2]; 2];
    for (dz, row) in plane.iter_mut().enumerate().take(nz) {
        for (dy, v) in row.iter_mut().enumerate().take(ny) {
            let v0 = at(0, dy, dz);
            *v = if active[0] {
                lerp(v0, at(1, dy, dz), dist[0])
            } else {
                v0
            };
        }
    }
    let mut line = [0.0f64; 2];
    for (dz, v) in line.iter_mut().enumerate().take(nz) {
        *v = if active[1] {
            lerp(plane[dz][0], plane[dz][1], dist[1])
        } else {
            plane[dz][0]
        };
    }
    if active[2] {
        lerp(line[0], line[1], dist[2])
    } else {
        line[0]
    }
}
