//! Images drawn on a document (the organization's logo), read once into what a PDF image
//! XObject holds: a JPEG as it is (DCTDecode), a PNG decoded and compressed again
//! (FlateDecode), its transparency as a separate soft mask.

use std::fmt;
use std::io::Cursor;

use miniz_oxide::deflate::compress_to_vec_zlib;

/// The widest and tallest image read, in pixels: a safety bound against a small file that
/// claims a huge canvas (the callers set their own, smaller, limits).
pub const MAX_SIDE: u32 = 8192;

/// Why bytes are not an image a document can show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageError {
    /// Neither a PNG nor a JPEG.
    UnknownFormat,
    /// A PNG or JPEG that does not decode: cut short or damaged.
    Damaged,
    /// A JPEG whose kind PDF readers do not show (CMYK, 12-bit, lossless, arithmetic).
    UnsupportedJpeg,
    /// Wider or taller than [`MAX_SIDE`], or empty.
    Size { width: u32, height: u32 },
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageError::UnknownFormat => f.write_str("il file non è un'immagine PNG o JPEG"),
            ImageError::Damaged => {
                f.write_str("l'immagine non si legge: è incompleta o danneggiata")
            }
            ImageError::UnsupportedJpeg => f.write_str(
                "questo JPEG (CMYK, 12 bit o senza perdita) non si stampa: salvalo come JPEG RGB o come PNG",
            ),
            ImageError::Size { width, height } => write!(
                f,
                "l'immagine misura {width} × {height} pixel: al massimo {MAX_SIDE} per lato"
            ),
        }
    }
}

impl std::error::Error for ImageError {}

/// The samples as the PDF stores them.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Samples {
    /// A baseline or progressive JPEG, embedded as it is.
    Jpeg(Vec<u8>),
    /// 8-bit samples compressed with zlib; the alpha channel, if any pixel is not opaque, as
    /// a grayscale soft mask compressed the same way.
    Flate {
        color: Vec<u8>,
        alpha: Option<Vec<u8>>,
    },
}

/// An image ready to be embedded: its size in pixels, gray or colour, and its samples.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// One component (DeviceGray) rather than three (DeviceRGB).
    pub(crate) gray: bool,
    pub(crate) samples: Samples,
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("gray", &self.gray)
            .field(
                "kind",
                &match self.samples {
                    Samples::Jpeg(_) => "jpeg",
                    Samples::Flate { .. } => "flate",
                },
            )
            .finish()
    }
}

impl Image {
    /// Reads a PNG or a JPEG, by its content.
    pub fn read(bytes: &[u8]) -> Result<Image, ImageError> {
        if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            read_png(bytes)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            read_jpeg(bytes)
        } else {
            Err(ImageError::UnknownFormat)
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
}

fn check_size(width: u32, height: u32) -> Result<(), ImageError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        Err(ImageError::Size { width, height })
    } else {
        Ok(())
    }
}

fn read_png(bytes: &[u8]) -> Result<Image, ImageError> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    // Palettes expanded, 16-bit samples reduced to 8: what DeviceGray and DeviceRGB take.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let header = decoder
        .read_header_info()
        .map_err(|_| ImageError::Damaged)?;
    check_size(header.width, header.height)?;
    let mut reader = decoder.read_info().map_err(|_| ImageError::Damaged)?;
    let size = reader.output_buffer_size().ok_or(ImageError::Damaged)?;
    let mut buf = vec![0; size];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|_| ImageError::Damaged)?;
    let pixels = buf.get(..info.buffer_size()).ok_or(ImageError::Damaged)?;
    let (channels, gray) = match info.color_type {
        png::ColorType::Grayscale => (1, true),
        png::ColorType::GrayscaleAlpha => (2, true),
        png::ColorType::Rgb => (3, false),
        png::ColorType::Rgba => (4, false),
        png::ColorType::Indexed => return Err(ImageError::Damaged),
    };
    let color_channels = if gray { 1 } else { 3 };
    let (color, alpha) = if channels == color_channels {
        (pixels.to_vec(), None)
    } else {
        let mut color = Vec::with_capacity(pixels.len());
        let mut alpha = Vec::with_capacity(pixels.len() / channels);
        for px in pixels.chunks_exact(channels) {
            let (c, a) = px.split_at(color_channels);
            color.extend_from_slice(c);
            alpha.extend_from_slice(a);
        }
        (color, alpha.iter().any(|&a| a != 255).then_some(alpha))
    };
    Ok(Image {
        width: info.width,
        height: info.height,
        gray,
        samples: Samples::Flate {
            color: compress_to_vec_zlib(&color, 6),
            alpha: alpha.map(|a| compress_to_vec_zlib(&a, 6)),
        },
    })
}

/// A JPEG's frame header (SOF): sample precision, height, width and components. Markers
/// are walked from the start of the file to the first frame header.
fn read_jpeg(bytes: &[u8]) -> Result<Image, ImageError> {
    let mut i = 2;
    loop {
        // Fill bytes (0xFF) may precede a marker.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if bytes.get(i) != Some(&0xFF) {
            return Err(ImageError::Damaged);
        }
        let marker = *bytes.get(i + 1).ok_or(ImageError::Damaged)?;
        // Markers that stand alone, with no length.
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(i + 2).ok_or(ImageError::Damaged)?,
            *bytes.get(i + 3).ok_or(ImageError::Damaged)?,
        ]));
        let segment = bytes.get(i + 4..i + 2 + len).ok_or(ImageError::Damaged)?;
        match marker {
            // Baseline, extended sequential and progressive, Huffman coded.
            0xC0..=0xC2 => {
                let [precision, h0, h1, w0, w1, components, ..] = *segment else {
                    return Err(ImageError::Damaged);
                };
                let (width, height) = (
                    u32::from(u16::from_be_bytes([w0, w1])),
                    u32::from(u16::from_be_bytes([h0, h1])),
                );
                if precision != 8 || !matches!(components, 1 | 3) {
                    return Err(ImageError::UnsupportedJpeg);
                }
                check_size(width, height)?;
                // The end of image, so that a file cut short is refused here, not in a reader.
                let tail = &bytes[bytes.len().saturating_sub(64)..];
                if !tail.windows(2).any(|w| w == [0xFF, 0xD9]) {
                    return Err(ImageError::Damaged);
                }
                return Ok(Image {
                    width,
                    height,
                    gray: components == 1,
                    samples: Samples::Jpeg(bytes.to_vec()),
                });
            }
            // Lossless, hierarchical or arithmetic-coded frames.
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(ImageError::UnsupportedJpeg);
            }
            // Start of scan or end of image before any frame header.
            0xDA | 0xD9 => return Err(ImageError::Damaged),
            _ => i += 2 + len,
        }
    }
}
