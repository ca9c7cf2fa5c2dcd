//! `import wxr --uploads DIR`: the images a post refers to under WordPress's
//! `wp-content/uploads/`, read from a copy of that folder, stored as media, and the post's
//! HTML pointed at their `/media/…` addresses instead of the old site. An image not in the
//! folder, or not one Roundtable can store, is reported and left as it was.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::percent_decode;
use super::wp_html::{replace_addresses, upload_addresses};
use crate::store::{media_path, StoreResult, WpEntry, WpImporter};

/// The kinds of file taken from the folder: images. Other uploads (PDFs …) keep their links.
const IMAGE_EXTENSIONS: [&str; 5] = ["jpg", "jpeg", "png", "webp", "gif"];

/// A copy of `wp-content/uploads`, and what became of each file asked for so far.
pub struct Uploads {
    dir: PathBuf,
    /// A file's path under the folder: its new address, or why it has none.
    done: HashMap<String, Result<String, String>>,
}

impl Uploads {
    pub fn new(dir: &Path) -> Uploads {
        Uploads {
            dir: dir.to_path_buf(),
            done: HashMap::new(),
        }
    }

    /// Stores the images the entry refers to and points its HTML at them. Each image that
    /// stays linked to the old site adds a line to `problems`, naming the file and the post.
    pub async fn localize(
        &mut self,
        entry: &mut WpEntry,
        importer: &mut WpImporter,
        problems: &mut Vec<String>,
    ) -> StoreResult<()> {
        let mut texts: Vec<&mut String> = vec![&mut entry.intro, &mut entry.closing];
        if let Some(body) = entry.body_html.as_mut() {
            texts.push(body);
        }
        for answer in &mut entry.answers {
            texts.push(&mut answer.body);
        }
        let mut reported = Vec::new();
        for text in texts {
            let mut replacements = Vec::new();
            for (address, path) in upload_addresses(text) {
                let path = percent_decode(&path);
                let is_image = Path::new(&path)
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
                if !is_image {
                    continue;
                }
                match self.address_of(&path, importer).await? {
                    Ok(new) => replacements.push((address, new)),
                    Err(why) if !reported.contains(&path) => {
                        problems.push(format!(
                            "image {path} in \"{}\": {why}; left linking to the old site",
                            entry.title
                        ));
                        reported.push(path);
                    }
                    Err(_) => {}
                }
            }
            if !replacements.is_empty() {
                *text = replace_addresses(text, &replacements);
            }
        }
        Ok(())
    }

    /// The new address of the file at `path` under the folder, storing it the first time.
    async fn address_of(
        &mut self,
        path: &str,
        importer: &mut WpImporter,
    ) -> StoreResult<Result<String, String>> {
        if let Some(done) = self.done.get(path) {
            return Ok(done.clone());
        }
        let result = match self.read(path) {
            Err(why) => Err(why),
            Ok(bytes) => match crate::media::picture(&bytes) {
                Err(refused) => Err(format!("could not be stored ({refused})")),
                Ok(image) => {
                    let id = importer.media(&image).await?;
                    let widest = image.widest();
                    Ok(media_path(id, i64::from(widest.width), image.mime_type))
                }
            },
        };
        self.done.insert(path.to_string(), result.clone());
        Ok(result)
    }

    /// The file's bytes; only a plain path inside the folder is read.
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let inside = Path::new(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside {
            return Err("is not a path inside the uploads folder".into());
        }
        let file = self.dir.join(path);
        std::fs::read(&file).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("is not in {}", self.dir.display()),
            _ => format!("cannot be read from {} ({e})", file.display()),
        })
    }
}
