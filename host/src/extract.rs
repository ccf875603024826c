//! Extraction on the host: image/mask loading for the core, the work queue that spreads image
//! types over threads, and the feature-list helpers the CLI's `--features` uses.
//!
//! [`compute_units`] is the scheduler: the image and mask are loaded once (normalised,
//! resampled: [`radscore_core::extract::with_loaded`]) for all the units that load them alike,
//! then each [`Unit`] is one core call ([`radscore_core::extract::extract_prepared`]) on the
//! names of one image type with one [`Settings`]; units are taken longest first by up to
//! `threads` threads, each with its own scratch, so the values are identical for any thread
//! count. With one thread, the LoG sigmas of equal settings are one core call (a job of several
//! units, `compute_job`): the core filters them on one reading of the image.

use crate::io::{self, MaskBox, ReadOptions, Volume};
use anyhow::{anyhow, bail, Context};
use radscore_core::extract::{
    extract_prepared, loaded_len, loading_key, scratch_len_prepared, with_loaded,
};
use radscore_core::filters::lbp3d::Lbp3dImage;
use radscore_core::image::{ImageView, MaskView, RoiBox};
use radscore_core::names::{Feature, FeatureName, ImageType, ShapeFeature, WaveletBand};
use radscore_core::settings::Settings;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The LoG image type of `sigma` (mm), or why radscore cannot name it. The core names a sigma as
/// PyRadiomics does (`log-sigma-1-0-mm-3D`) only when it is finite, > 0, below 2^53 and has at
/// most 15–16 significant digits; otherwise its `Display` fails, and `to_string` on it panics
/// (issue 21: a params file with `sigma: [1.3e61]` crashed the params fuzz target).
pub(crate) fn log_image_type(sigma: f64) -> Result<ImageType, String> {
    use std::fmt::Write;
    let t = ImageType::Log { sigma_mm: sigma };
    let mut name = String::new();
    if !(sigma.is_finite() && sigma > 0.0) || write!(name, "{t}").is_err() {
        return Err(format!(
            "LoG sigma {sigma} has no image name radscore can write (PyRadiomics' names take \
             a sigma > 0 below 2^53 with at most 15–16 significant digits)"
        ));
    }
    Ok(t)
}

/// Every (image type × feature) the core computes, in PyRadiomics' output order (that of
/// `params_all.yaml`): shape, then original, LoG per sigma, wavelet LLH … LLL, square,
/// squareroot, logarithm, exponential, gradient and, with `lbp3d`, the LBP3D images `lbp-3D-m1`,
/// `-m2`, `-k` (PyRadiomics' default LBP3D settings; they need a spline prefilter of the whole
/// image, so the demo leaves them out); per type firstorder, glcm, glrlm, glszm, gldm, ngtdm.
/// With sigmas 1, 3, 5: 1 874 names with LBP3D, 1 595 without.
pub fn all_names(log_sigmas: &[f64], lbp3d: bool) -> anyhow::Result<Vec<FeatureName>> {
    let mut types = vec![ImageType::Original];
    for &s in log_sigmas {
        if !(s.is_finite() && s > 0.0) {
            bail!("--log-sigma: expected values > 0, found {s}");
        }
        types.push(log_image_type(s).map_err(|e| anyhow!("--log-sigma: {e}"))?);
    }
    types.extend(WaveletBand::ALL.iter().map(|&b| ImageType::Wavelet(b)));
    types.extend([
        ImageType::Square,
        ImageType::SquareRoot,
        ImageType::Logarithm,
        ImageType::Exponential,
        ImageType::Gradient,
    ]);
    if lbp3d {
        types.extend([Lbp3dImage::M1, Lbp3dImage::M2, Lbp3dImage::Kurtosis].map(ImageType::Lbp3d));
    }
    // Shape exists for the original image only and comes first, as in PyRadiomics' output.
    let shape = ShapeFeature::ALL.iter().map(|&f| FeatureName {
        image_type: ImageType::Original,
        feature: Feature::Shape(f),
    });
    Ok(shape
        .chain(types.into_iter().flat_map(|t| {
            Feature::all().map(move |f| FeatureName {
                image_type: t,
                feature: f,
            })
        }))
        .collect())
}

/// Reads an image and its mask, checks they share a grid, and converts them for the core.
pub fn load_pair(
    image: &Path,
    mask: &Path,
    opts: &ReadOptions,
) -> anyhow::Result<(Volume, Volume)> {
    let img = io::read_volume_with(image, opts)?.into_image();
    let msk = io::read_mask_with(mask, opts, &img)
        .with_context(|| format!("reading mask {}", mask.display()))?;
    img.check_same_geometry(&msk, image, mask)?;
    Ok((img, msk))
}

/// Reads an image and its mask for extraction with the least memory, without comparing their
/// grids: a file mask (NRRD/NIfTI) is read first and cropped to its non-zero box ([`MaskBox`])
/// before the image is read, so the two whole volumes never coexist; a DICOM-SEG needs the
/// image's grid, so the image comes first there.
pub fn load_pair_cropped_unchecked(
    image: &Path,
    mask: &Path,
    opts: &ReadOptions,
) -> anyhow::Result<(Volume, MaskBox)> {
    load_pair_cropped_inspect(image, mask, opts, &mut |_| {})
}

/// [`load_pair_cropped_unchecked`], calling `inspect` on the image as read (in its stored voxel
/// type, before it is converted for the core), e.g. to hash it.
pub fn load_pair_cropped_inspect(
    image: &Path,
    mask: &Path,
    opts: &ReadOptions,
    inspect: &mut dyn FnMut(&Volume),
) -> anyhow::Result<(Volume, MaskBox)> {
    let mask_ctx = || format!("reading mask {}", mask.display());
    let mut read_image = || -> anyhow::Result<Volume> {
        let v = io::read_volume_with(image, opts)?;
        inspect(&v);
        Ok(v.into_image())
    };
    if io::format_of(mask) == io::Format::Dicom && io::dicom::is_seg(mask) {
        let img = read_image()?;
        let m = io::read_mask_with(mask, opts, &img).with_context(mask_ctx)?;
        Ok((img, MaskBox::from_mask(m).with_context(mask_ctx)?))
    } else {
        let m = if io::format_of(mask) == io::Format::Nrrd {
            io::nrrd::read_mask(mask)
        } else {
            io::read_volume_with(mask, opts).and_then(MaskBox::from_mask)
        }
        .with_context(mask_ctx)?;
        Ok((read_image()?, m))
    }
}

/// [`load_pair_cropped_unchecked`], then the grids are compared ([`io::check_grids`]).
pub fn load_pair_cropped(
    image: &Path,
    mask: &Path,
    opts: &ReadOptions,
) -> anyhow::Result<(Volume, MaskBox)> {
    let (img, msk) = load_pair_cropped_unchecked(image, mask, opts)?;
    io::check_grids(&img.grid(), &msk.grid, image, mask)?;
    Ok((img, msk))
}

/// [`compute`] with a cropped mask ([`load_pair_cropped`]); the same values. With `threads` > 1
/// the image types are spread over up to that many threads ([`compute_units`]); the values are
/// the same for any count.
pub fn compute_cropped(
    image: &Volume,
    mask: &MaskBox,
    label: u32,
    names: &[FeatureName],
    bin_width: f64,
    scratch: &mut Vec<f64>,
    threads: usize,
) -> anyhow::Result<Vec<f64>> {
    compute_cropped_with_progress(
        image,
        mask,
        label,
        names,
        bin_width,
        scratch,
        threads,
        &|_| {},
    )
}

/// [`compute_cropped`], calling `done(image_type)` as each image type is finished (from the
/// thread that computed it), e.g. to advance a progress bar.
#[allow(clippy::too_many_arguments)]
pub fn compute_cropped_with_progress(
    image: &Volume,
    mask: &MaskBox,
    label: u32,
    names: &[FeatureName],
    bin_width: f64,
    scratch: &mut Vec<f64>,
    threads: usize,
    done: &(dyn Fn(&ImageType) + Sync),
) -> anyhow::Result<Vec<f64>> {
    let iv = image.image_view().map_err(|e| anyhow!("image: {e}"))?;
    let mv = mask.mask_view(label)?;
    let units = units_by_type(names, &Settings::with_bin_width(bin_width));
    let (values, _) = compute_units(
        &iv,
        &mv,
        label,
        &units,
        names.len(),
        scratch,
        threads,
        &|u| done(&u.image_type),
    )?;
    Ok(values)
}

/// The image types of `names`, in their first appearance's order.
pub fn image_types(names: &[FeatureName]) -> Vec<ImageType> {
    let mut types: Vec<ImageType> = Vec::new();
    for n in names {
        if !types.contains(&n.image_type) {
            types.push(n.image_type);
        }
    }
    types
}

/// Computes `names` on an image/mask pair; `scratch` is grown only when a case needs more.
pub fn compute(
    image: &Volume,
    mask: &Volume,
    label: u32,
    names: &[FeatureName],
    bin_width: f64,
    scratch: &mut Vec<f64>,
) -> anyhow::Result<Vec<f64>> {
    let iv = image.image_view().map_err(|e| anyhow!("image: {e}"))?;
    let mv = mask.mask_view(label)?;
    let units = units_by_type(names, &Settings::with_bin_width(bin_width));
    let (values, _) = compute_units(&iv, &mv, label, &units, names.len(), scratch, 1, &|_| {})?;
    Ok(values)
}

/// One core call: the names of one image type, with one settings.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The image type of every name.
    pub image_type: ImageType,
    /// Its settings.
    pub settings: Settings,
    /// The names to compute.
    pub names: Vec<FeatureName>,
    /// Where each value goes in the output.
    pub slots: Vec<usize>,
    /// PyRadiomics skips this image type when the core finds the image too small for its filter
    /// (LoG): the unit's values are then absent, not an error.
    pub skippable: bool,
}

/// `names` grouped by image type (first appearance order), all with `settings`.
pub fn units_by_type(names: &[FeatureName], settings: &Settings) -> Vec<Unit> {
    image_types(names)
        .into_iter()
        .map(|t| {
            let slots: Vec<usize> = (0..names.len())
                .filter(|&k| names[k].image_type == t)
                .collect();
            Unit {
                image_type: t,
                settings: *settings,
                names: slots.iter().map(|&k| names[k]).collect(),
                slots,
                skippable: false,
            }
        })
        .collect()
}

/// Runs one unit on the loaded image and mask ([`with_loaded`]) in `scratch` (grown when
/// needed), sized by the core's [`scratch_len_prepared`] for the unit's settings. Should the core
/// still report [`radscore_core::Error::ScratchTooSmall`], the unit is retried with twice the
/// scratch, up to 4096 times the first size.
fn compute_unit(
    iv: &ImageView,
    mv: &MaskView,
    unit: &Unit,
    scratch: &mut Vec<f64>,
) -> Result<Vec<f64>, radscore_core::Error> {
    let first = scratch_len_prepared(iv, mv, &unit.names, &unit.settings)?.max(1);
    compute_names(iv, mv, &unit.names, &unit.settings, first, scratch)
}

/// One core call on `names` with `settings`, starting from a scratch of `first` elements.
fn compute_names(
    iv: &ImageView,
    mv: &MaskView,
    names: &[FeatureName],
    settings: &Settings,
    first: usize,
    scratch: &mut Vec<f64>,
) -> Result<Vec<f64>, radscore_core::Error> {
    let first = first.max(1);
    let mut need = first;
    let mut out = vec![0.0; names.len()];
    loop {
        if scratch.len() < need {
            // a fresh zeroed allocation (not `resize`): the allocator maps zero pages, so only
            // the part of the scratch the image types actually use becomes resident
            *scratch = Vec::new();
            *scratch = vec![0.0; need];
        }
        match extract_prepared(iv, mv, names, settings, &mut out, scratch) {
            Err(radscore_core::Error::ScratchTooSmall) if need < first.saturating_mul(4096) => {
                need = need.saturating_mul(2).max(scratch.len().saturating_mul(2));
            }
            r => return r.map(|()| out),
        }
    }
}

/// The units of `job` (indices into `units`) with their results. A job of several units is LoG
/// sigmas with the same settings, computed by one core call (which filters them on one reading
/// of the image, [`radscore_core::filters::log::filter_many`]) when its scratch exceeds that of
/// one of them by at most the image's voxel count; otherwise, or if that call fails, each unit
/// is computed on its own, so the values and errors are those of separate units.
fn compute_job(
    iv: &ImageView,
    mv: &MaskView,
    units: &[Unit],
    job: &[usize],
    scratch: &mut Vec<f64>,
) -> Vec<(usize, Result<Vec<f64>, radscore_core::Error>)> {
    let alone = |scratch: &mut Vec<f64>| {
        job.iter()
            .map(|&i| (i, compute_unit(iv, mv, &units[i], scratch)))
            .collect()
    };
    let (Some(&lead), true) = (job.first(), job.len() > 1) else {
        return alone(scratch);
    };
    let settings = units[lead].settings;
    let names: Vec<FeatureName> = job
        .iter()
        .flat_map(|&i| units[i].names.iter().copied())
        .collect();
    let together = scratch_len_prepared(iv, mv, &names, &settings);
    let one = scratch_len_prepared(iv, mv, &units[lead].names, &settings);
    let (Ok(together), Ok(one)) = (together, one) else {
        return alone(scratch);
    };
    if together.saturating_sub(one) > iv.len() {
        return alone(scratch);
    }
    match compute_names(iv, mv, &names, &settings, together, scratch) {
        Ok(values) => {
            let mut rest = values.into_iter();
            job.iter()
                .map(|&i| (i, Ok(rest.by_ref().take(units[i].names.len()).collect())))
                .collect()
        }
        Err(_) => alone(scratch),
    }
}

/// The order in which units are computed (`order`: unit indices, longest first) as jobs for
/// [`compute_job`]: with one thread, LoG units of equal settings are joined, up to
/// [`radscore_core::filters::log::MAX_SIGMAS`] a job, at the place of their first; with more
/// threads every unit is its own job (the sigmas then run in parallel instead).
fn jobs(units: &[Unit], order: &[usize], threads: usize) -> Vec<Vec<usize>> {
    let mut jobs: Vec<Vec<usize>> = Vec::new();
    for &i in order {
        let is_log = matches!(units[i].image_type, ImageType::Log { .. });
        let joins = threads == 1 && is_log;
        let target = jobs.iter_mut().find(|j| {
            joins
                && j.len() < radscore_core::filters::log::MAX_SIGMAS
                && j.first().is_some_and(|&f| {
                    matches!(units[f].image_type, ImageType::Log { .. })
                        && units[f].settings == units[i].settings
                })
        });
        match target {
            Some(j) => j.push(i),
            None => jobs.push(vec![i]),
        }
    }
    jobs
}

/// Rough work of one image type on this geometry (voxels visited), to balance the threads of a
/// single-case extraction: the LoG's nine recursive 1-D passes start over whole image lines, the
/// exponential scans the whole image once for its max |x|, the other filters and every feature
/// class work on the ROI box (the wavelet with a halo, eight 1-D passes).
fn type_cost(t: &ImageType, image_len: usize, box_len: usize) -> usize {
    let filter = match t {
        ImageType::Log { .. } => 9 * image_len,
        ImageType::Exponential
        | ImageType::Square
        | ImageType::SquareRoot
        | ImageType::Logarithm => image_len + box_len,
        ImageType::Wavelet(_) => 12 * box_len,
        // Spline prefilter of the whole image, then 42 samples of 64 coefficients per voxel.
        ImageType::Lbp3d(_) => 3 * image_len + 42 * 64 * box_len,
        _ => 2 * box_len,
    };
    filter + 8 * box_len
}

/// Computes every unit on a work queue served by up to `threads` threads (the calling thread in
/// `scratch`, the others in their own): the units are taken longest first (by [`type_cost`]), so
/// a long one starts early and no thread idles while work remains. Each unit is the same core
/// call whatever the thread count, so the values are identical for any count. `done(unit)` is
/// called as each unit finishes. Returns `n` values (NaN where a skipped unit's values would go)
/// and, per unit, whether it was skipped (a [`Unit::skippable`] unit whose filter does not apply
/// to this image). A failure is that of the first failing unit in `units`' order (the same for
/// any thread count), with the image type named.
#[allow(clippy::too_many_arguments)]
pub fn compute_units(
    iv: &ImageView,
    mv: &MaskView,
    label: u32,
    units: &[Unit],
    n: usize,
    scratch: &mut Vec<f64>,
    threads: usize,
    done: &(dyn Fn(&Unit) + Sync),
) -> anyhow::Result<(Vec<f64>, Vec<bool>)> {
    // The mask checks (label present, ROI size) are the same for every unit: run them once, so
    // that their failure is reported as such and not as the first image type's. With a
    // `minimumROIDimensions` below PyRadiomics' default 2 the core's checks of each unit decide.
    let roi_len = roi_box_for(iv, mv, units.iter().map(|u| &u.settings))
        .map_err(|e| anyhow!(CoreFailure(e)))
        .with_context(|| format!("label {label}"))?
        .len();
    type Slot = Mutex<Option<Result<Vec<f64>, radscore_core::Error>>>;
    let slots: Vec<Slot> = units.iter().map(|_| Mutex::new(None)).collect();
    // Units that load the image alike (normalisation, resampling, preCrop: in a params file
    // these are global settings) share one loading: resampled once per case, not once per
    // image type. Each unit is then the core's extract_prepared on the shared image and mask,
    // which is what extract_with runs after its own loading: the same values.
    let mut groups: Vec<(Settings, Vec<usize>)> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let key = loading_key(&u.settings);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    for (key, members) in &groups {
        let loaded = loaded_len(iv, mv, key).and_then(|need| {
            let mut buffers = vec![0.0; need];
            with_loaded(iv, mv, key, &mut buffers, |liv, lmv, _| {
                let box_len = roi_len.min(liv.len());
                let mut order = members.clone();
                order.sort_by_key(|&i| {
                    std::cmp::Reverse(type_cost(&units[i].image_type, liv.len(), box_len))
                });
                let threads = threads.clamp(1, order.len().max(1));
                let jobs = jobs(units, &order, threads);
                let next = AtomicUsize::new(0);
                let work = |scratch: &mut Vec<f64>| {
                    while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                        for (i, r) in compute_job(liv, lmv, units, job, scratch) {
                            if r.is_ok() {
                                done(&units[i]);
                            }
                            if let Ok(mut slot) = slots[i].lock() {
                                *slot = Some(r);
                            }
                        }
                    }
                };
                std::thread::scope(|s| {
                    for _ in 1..threads {
                        // a thread the system refuses to create leaves its share to the others
                        let _ =
                            std::thread::Builder::new().spawn_scoped(s, || work(&mut Vec::new()));
                    }
                    work(&mut *scratch);
                });
                Ok(())
            })
        });
        if let Err(e) = loaded {
            // the loading failed: so does every unit that needed it
            for &i in members {
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(Err(e));
                }
            }
        }
    }
    let mut out = vec![f64::NAN; n];
    let mut skipped = vec![false; units.len()];
    for (i, slot) in slots.into_iter().enumerate() {
        let u = &units[i];
        let r = slot
            .into_inner()
            .map_err(|_| anyhow!("an extraction thread panicked"))?
            .ok_or_else(|| anyhow!("image type {} was not computed", u.image_type))?;
        match r {
            Ok(values) => {
                for (&k, x) in u.slots.iter().zip(values) {
                    if let Some(o) = out.get_mut(k) {
                        *o = x;
                    }
                }
            }
            Err(radscore_core::Error::ImageTooSmallForFilter) if u.skippable => skipped[i] = true,
            Err(e) => {
                return Err(anyhow!(CoreFailure(e)))
                    .with_context(|| format!("label {label}: image type {}", u.image_type))
            }
        }
    }
    Ok((out, skipped))
}

/// The ROI box after PyRadiomics' mask checks with its default `minimumROIDimensions` (2)
/// ([`radscore_core::image::roi_box`]); when some settings allow fewer dimensions, a box with
/// fewer dimensions is returned as it is (the core checks it against each unit's settings).
pub fn roi_box_for<'s>(
    iv: &ImageView,
    mv: &MaskView,
    settings: impl IntoIterator<Item = &'s Settings>,
) -> Result<RoiBox, radscore_core::Error> {
    match radscore_core::image::roi_box(iv, mv) {
        Err(radscore_core::Error::RoiTooFewDimensions)
            if settings.into_iter().any(|s| s.minimum_roi_dimensions < 2) =>
        {
            raw_roi_box(iv, mv).ok_or(radscore_core::Error::LabelNotPresent)
        }
        r => r,
    }
}

/// The bounding box of the ROI voxels, without checks (`None`: no ROI voxel).
fn raw_roi_box(iv: &ImageView, mv: &MaskView) -> Option<RoiBox> {
    let d = iv.dims();
    let (mut lo, mut hi) = ([usize::MAX; 3], [0usize; 3]);
    let mut i = 0usize;
    for z in 0..d[2] {
        for y in 0..d[1] {
            for x in 0..d[0] {
                if mv.is_roi(i) {
                    for (a, p) in [x, y, z].into_iter().enumerate() {
                        lo[a] = lo[a].min(p);
                        hi[a] = hi[a].max(p + 1);
                    }
                }
                i += 1;
            }
        }
    }
    (lo[0] != usize::MAX).then_some(RoiBox { lo, hi })
}

/// A core error inside an anyhow chain (so callers can recover its code).
#[derive(Debug, Clone, Copy)]
pub struct CoreFailure(pub radscore_core::Error);

impl std::fmt::Display for CoreFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (radscore error {})", self.0, self.0.code())
    }
}

impl std::error::Error for CoreFailure {}

/// Formats a value so that parsing it gives back the same f64 (`nan`, `inf`, `-inf` as Python).
pub fn format_value(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{x:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(t: ImageType, settings: Settings) -> Unit {
        Unit {
            image_type: t,
            settings,
            names: Vec::new(),
            slots: Vec::new(),
            skippable: false,
        }
    }

    /// One thread: LoG units of equal settings join, four at most a job, at their first's
    /// place; other units and LoG units of other settings stay alone. Two threads: all alone.
    #[test]
    fn one_thread_joins_the_log_sigmas() {
        let s = Settings::with_bin_width(25.0);
        let other = Settings::with_bin_width(10.0);
        let log = |sigma_mm| ImageType::Log { sigma_mm };
        let units = [
            unit(ImageType::Original, s),
            unit(log(1.0), s),
            unit(ImageType::Gradient, s),
            unit(log(2.0), s),
            unit(log(3.0), other),
            unit(log(4.0), s),
            unit(log(5.0), s),
            unit(log(6.0), s),
            unit(log(7.0), other),
        ];
        let order: Vec<usize> = (0..units.len()).collect();
        assert_eq!(
            jobs(&units, &order, 1),
            [vec![0], vec![1, 3, 5, 6], vec![2], vec![4, 8], vec![7]]
        );
        let alone: Vec<Vec<usize>> = order.iter().map(|&i| vec![i]).collect();
        assert_eq!(jobs(&units, &order, 2), alone);
    }
}
