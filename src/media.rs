//! Images the program keeps itself: a panelist's photo or an image imported from WordPress,
//! checked, decoded, turned upright, resized and encoded again. Encoding again is what strips
//! every piece of metadata the file came with (EXIF, GPS, camera serials): only pixels are
//! kept. JPEG, PNG and WebP are read; images are written as JPEG, or PNG when they have
//! transparency.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

/// Largest file accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Largest image accepted, in pixels: a decoded image takes four bytes a pixel.
pub const MAX_PIXELS: u64 = 40_000_000;
/// The widths a panelist's photo is kept in: shown at 96 px, twice that on dense screens,
/// and larger for the panelist's page.
pub const PHOTO_WIDTHS: [u32; 3] = [96, 192, 480];
/// The widest an imported image is kept.
pub const PICTURE_MAX_WIDTH: u32 = 1600;

const JPEG_QUALITY: u8 = 85;

/// Why an image was refused, in a sentence for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageRefused {
    #[error("The photo is larger than 10 MB: please send a smaller file.")]
    TooLarge,
    #[error("The photo is larger than 40 megapixels: please send a smaller image.")]
    TooManyPixels,
    #[error(
        "That file is not a JPEG, PNG or WebP image: please send a photo in one of those formats."
    )]
    NotAnImage,
    #[error("That image could not be read; it may be damaged. Please send another file.")]
    Unreadable,
}

/// One width of an image, encoded.
#[derive(Debug, Clone)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// An image ready to be stored: its type and its renditions, narrowest first.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub mime_type: &'static str,
    pub renditions: Vec<Rendition>,
}

impl Prepared {
    /// The widest rendition.
    pub fn widest(&self) -> &Rendition {
        self.renditions.last().expect("an image has a rendition")
    }
}

/// The file extension of the addresses an image of this type is served at.
pub fn extension(mime_type: &str) -> &'static str {
    match mime_type {
        "image/png" => "png",
        _ => "jpg",
    }
}

/// A panelist's photo: cut to a square around its centre (it is shown as one beside each
/// answer) in each of [`PHOTO_WIDTHS`] no wider than the image itself.
pub fn photo(bytes: &[u8]) -> Result<Prepared, ImageRefused> {
    let image = decode(bytes)?;
    let side = image.width().min(image.height());
    let mut widths: Vec<u32> = PHOTO_WIDTHS.into_iter().filter(|w| *w <= side).collect();
    if widths.is_empty() {
        widths.push(side);
    }
    let renditions = widths
        .into_iter()
        .map(|w| image.resize_to_fill(w, w, FilterType::Lanczos3))
        .collect::<Vec<_>>();
    encode_all(&image, renditions)
}

/// An image from a post: one rendition, its own shape, no wider than [`PICTURE_MAX_WIDTH`].
pub fn picture(bytes: &[u8]) -> Result<Prepared, ImageRefused> {
    let image = decode(bytes)?;
    let resized = if image.width() > PICTURE_MAX_WIDTH {
        image.resize(PICTURE_MAX_WIDTH, u32::MAX, FilterType::Lanczos3)
    } else {
        image.clone()
    };
    encode_all(&image, vec![resized])
}

/// Reads a JPEG, PNG or WebP file within the limits, turned the way its EXIF orientation says
/// (the orientation goes with the rest of the metadata, so it must be applied now).
fn decode(bytes: &[u8]) -> Result<DynamicImage, ImageRefused> {
    if bytes.len() > MAX_BYTES {
        return Err(ImageRefused::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| ImageRefused::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(ImageRefused::NotAnImage);
    }
    let reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| ImageRefused::Unreadable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageRefused::TooManyPixels);
    }
    if width == 0 || height == 0 {
        return Err(ImageRefused::Unreadable);
    }
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| ImageRefused::Unreadable)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// Encodes each rendition as the original calls for: PNG when it has transparency.
fn encode_all(
    original: &DynamicImage,
    renditions: Vec<DynamicImage>,
) -> Result<Prepared, ImageRefused> {
    let transparent = original.color().has_alpha();
    let mime_type = if transparent {
        "image/png"
    } else {
        "image/jpeg"
    };
    let renditions = renditions
        .into_iter()
        .map(|image| {
            let mut data = Vec::new();
            let written = if transparent {
                image
                    .to_rgba8()
                    .write_to(&mut Cursor::new(&mut data), ImageFormat::Png)
            } else {
                JpegEncoder::new_with_quality(&mut data, JPEG_QUALITY)
                    .encode_image(&image.to_rgb8())
            };
            written.map_err(|_| ImageRefused::Unreadable)?;
            Ok(Rendition {
                width: image.width(),
                height: image.height(),
                data,
            })
        })
        .collect::<Result<Vec<_>, ImageRefused>>()?;
    Ok(Prepared {
        mime_type,
        renditions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Vec::new();
        JpegEncoder::new(&mut out).encode_image(&img).unwrap();
        out
    }

    #[test]
    fn a_photo_is_kept_square_in_each_width_no_wider_than_itself() {
        let prepared = photo(&jpeg(300, 200)).unwrap();
        assert_eq!(prepared.mime_type, "image/jpeg");
        let sizes: Vec<_> = prepared
            .renditions
            .iter()
            .map(|r| (r.width, r.height))
            .collect();
        assert_eq!(sizes, [(96, 96), (192, 192)]);
        let tiny = photo(&jpeg(40, 60)).unwrap();
        assert_eq!(tiny.widest().width, 40);
    }

    #[test]
    fn a_transparent_png_stays_a_png() {
        let img = RgbaImage::from_pixel(120, 120, Rgba([10, 20, 30, 0]));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        assert_eq!(photo(&png).unwrap().mime_type, "image/png");
    }

    #[test]
    fn what_is_not_an_image_is_refused_with_a_reason() {
        assert_eq!(
            photo(b"GIF89a not really").unwrap_err(),
            ImageRefused::NotAnImage
        );
        assert_eq!(photo(b"hello").unwrap_err(), ImageRefused::NotAnImage);
        // A JPEG's first bytes and nothing a decoder can use.
        let damaged = [&[0xFF, 0xD8, 0xFF, 0xDB][..], &[7; 64]].concat();
        assert_eq!(photo(&damaged).unwrap_err(), ImageRefused::Unreadable);
        assert_eq!(
            photo(&vec![0xFF; MAX_BYTES + 1]).unwrap_err(),
            ImageRefused::TooLarge
        );
    }

    #[test]
    fn a_wide_picture_is_narrowed_and_keeps_its_shape() {
        let prepared = picture(&jpeg(2000, 1000)).unwrap();
        assert_eq!(prepared.renditions.len(), 1);
        assert_eq!(
            (prepared.widest().width, prepared.widest().height),
            (1600, 800)
        );
    }
}
