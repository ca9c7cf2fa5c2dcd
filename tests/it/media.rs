//! Panelist photos and imported images: uploaded through the real server's forms (the
//! editor's and the panelist's own), served without their metadata, shown beside named
//! answers only, erased with the panelist, and brought in from a WordPress uploads folder.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};
use reqwest::multipart::{Form, Part};
use roundtable::domain::Attribution;
use roundtable::store::{AnswerRow, Backend, ErasedAnswers, PanelistRow};

use crate::helpers::{csrf_of, post_url, TestApp};
use crate::privacy::assert_nowhere_public;
use crate::workflow::{sign_in, PASSWORD};

/// What the EXIF segment of the test's photo says: it must never be served.
const EXIF_CANARY: &[u8] = b"GPS 48.8584N 2.2945E CanaryCam serial 0042";

/// A small JPEG whose file carries an EXIF (APP1) segment, as a phone's photo does.
pub fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 3 % 256) as u8, (y * 5 % 256) as u8, 120])
    });
    let mut plain = Vec::new();
    img.write_to(&mut Cursor::new(&mut plain), ImageFormat::Jpeg)
        .unwrap();
    // "Exif\0\0", a big-endian TIFF header with an empty first directory, then the canary.
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(EXIF_CANARY);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&exif);
    // Right after the SOI marker.
    [&plain[..2], &segment, &plain[2..]].concat()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_pixel(width, height, Rgb([200, 30, 60]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

/// Sends a photo form: its text fields, then the file (as browsers send the fields in order).
async fn send_photo(
    app: &TestApp,
    action: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part("photo", Part::bytes(bytes).file_name(name.to_string()));
    }
    app.client
        .post(app.url(action))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The demo column with the test's editor signed in.
async fn demo_signed_in(backend: Backend) -> TestApp {
    let app = TestApp::with_demo(backend).await;
    // The demo's editor, with the tests' password.
    app.store
        .set_editor_password(
            "editor@example.org",
            &roundtable::auth::hash_password(PASSWORD).unwrap(),
        )
        .await
        .unwrap();
    sign_in(&app).await;
    app
}

/// A panelist with a published answer signed by name, and one whose every answer is not.
async fn named_and_hidden(app: &TestApp) -> (PanelistRow, PanelistRow, Vec<String>) {
    let store = &app.store;
    let posts = store.published_posts(0, 100).await.unwrap();
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let answers: Vec<AnswerRow> = store.included_answers_of_posts(&ids).await.unwrap();
    let named_id = answers
        .iter()
        .find(|a| a.attribution() == Attribution::Named)
        .and_then(|a| a.panelist_id)
        .unwrap();
    let hidden_id = answers
        .iter()
        .filter(|a| a.attribution() != Attribution::Named)
        .filter_map(|a| a.panelist_id)
        .find(|id| {
            !answers
                .iter()
                .any(|a| a.panelist_id == Some(*id) && a.attribution() == Attribution::Named)
        })
        .expect("the demo has a panelist who answered only anonymously or by role");
    let mut urls = Vec::new();
    for post in &posts {
        if answers
            .iter()
            .any(|a| a.post_id == post.id && a.panelist_id == Some(named_id))
        {
            urls.push(post_url(app, &post.title).await);
        }
    }
    (
        store.panelist(named_id).await.unwrap(),
        store.panelist(hidden_id).await.unwrap(),
        urls,
    )
}

/// The editor's upload on the panelist's page, as the form sends it.
async fn editor_uploads(
    app: &TestApp,
    panelist_id: i64,
    alt: &str,
    credit: &str,
    file: (&str, Vec<u8>),
) -> reqwest::Response {
    let page = format!("/admin/panel/{panelist_id}/");
    let (_, html) = app.get(&page).await;
    let csrf = csrf_of(&html);
    send_photo(
        app,
        &format!("/admin/panel/{panelist_id}/photo"),
        &[
            ("csrf", &csrf),
            ("alt", alt),
            ("credit", credit),
            ("action", "save"),
        ],
        Some(file),
    )
    .await
}

async fn a_photo_uploaded_by_the_editor_is_served_stripped_and_shown_beside_named_answers_only(
    backend: Backend,
) {
    let app = demo_signed_in(backend).await;
    let (named, hidden, urls) = named_and_hidden(&app).await;

    let sent = editor_uploads(
        &app,
        named.id,
        "Lora smiling in the reading room",
        "Photo by Lora Gordon/Radford University",
        ("lora.jpg", jpeg_with_exif(640, 480)),
    )
    .await;
    assert_eq!(sent.status().as_u16(), 303);
    let (_, admin) = app.get(&format!("/admin/panel/{}/", named.id)).await;
    assert!(admin.contains("The photo is saved."), "{admin}");

    let media = app
        .store
        .panelist(named.id)
        .await
        .unwrap()
        .photo_media_id
        .expect("the photo is stored");
    let (_, post) = app.get(&urls[0]).await;
    let figure = post
        .split("<figure class=\"answer-photo\">")
        .find(|part| part.contains(&format!("/media/{media}-")))
        .expect("the photo is beside the named answer");
    assert!(
        figure.contains(&format!("src=\"/media/{media}-96.jpg\"")),
        "{figure}"
    );
    assert!(
        figure.contains(&format!(
            "srcset=\"/media/{media}-96.jpg 96w, /media/{media}-192.jpg 192w, /media/{media}-480.jpg 480w\""
        )),
        "{figure}"
    );
    assert!(figure.contains("alt=\"Lora smiling in the reading room\""));
    assert!(figure.contains("<figcaption>Photo by Lora Gordon/Radford University</figcaption>"));

    // Served: an image that decodes, of its width, with nothing of the file's EXIF.
    let served = app
        .client
        .get(app.url(&format!("/media/{media}-192.jpg")))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert!(served.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let etag = served.headers()["etag"].to_str().unwrap().to_string();
    let bytes = served.bytes().await.unwrap();
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (192, 192));
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "EXIF is served");
    assert!(!bytes.windows(EXIF_CANARY.len()).any(|w| w == EXIF_CANARY));
    let again = app
        .client
        .get(app.url(&format!("/media/{media}-192.jpg")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    for unknown in [
        format!("/media/{}-96.jpg", media + 1000),
        format!("/media/{media}-97.jpg"),
        format!("/media/{media}-96.png"),
        "/media/nothing".to_string(),
    ] {
        assert_eq!(app.get(&unknown).await.0, 404, "{unknown}");
    }

    // A panelist who never signed by name: their photo, its words and its address are in
    // no public output.
    let sent = editor_uploads(
        &app,
        hidden.id,
        "Canaryalt portrait by the stacks",
        "Photo by Canarycredit Studio",
        ("hidden.png", png(300, 300)),
    )
    .await;
    assert_eq!(sent.status().as_u16(), 303);
    let hidden_media = app
        .store
        .panelist(hidden.id)
        .await
        .unwrap()
        .photo_media_id
        .unwrap();
    let address = format!("/media/{hidden_media}-");
    assert_nowhere_public(
        &app,
        &["Canaryalt", "Canarycredit", &address],
        &["library"],
        "a photo of a panelist who answered only anonymously or by role",
    )
    .await;

    // Erased: the photo goes, every width of it.
    let before = app.store.media_count().await.unwrap();
    roundtable::column::panel::erase(
        &app.state.column,
        &named.email,
        ErasedAnswers::KeptAnonymous,
    )
    .await
    .unwrap();
    assert_eq!(app.store.media_count().await.unwrap(), before - 1);
    assert_eq!(app.get(&format!("/media/{media}-192.jpg")).await.0, 404);
    let (_, post) = app.get(&urls[0]).await;
    assert!(!post.contains(&format!("/media/{media}-")));
}

#[tokio::test]
async fn a_photo_uploaded_by_the_editor_is_served_stripped_and_shown_beside_named_answers_only_on_sqlite(
) {
    a_photo_uploaded_by_the_editor_is_served_stripped_and_shown_beside_named_answers_only(
        Backend::Sqlite,
    )
    .await;
}

#[tokio::test]
async fn a_photo_uploaded_by_the_editor_is_served_stripped_and_shown_beside_named_answers_only_on_postgres(
) {
    a_photo_uploaded_by_the_editor_is_served_stripped_and_shown_beside_named_answers_only(
        Backend::Postgres,
    )
    .await;
}

async fn a_file_that_is_not_a_photo_is_refused_and_the_words_typed_stay(backend: Backend) {
    let app = demo_signed_in(backend).await;
    let (named, _, _) = named_and_hidden(&app).await;
    let sent = editor_uploads(
        &app,
        named.id,
        "Words the editor typed",
        "Photo by Someone Careful",
        ("notes.jpg", b"these are not the bytes of a photo".to_vec()),
    )
    .await;
    assert_eq!(sent.status().as_u16(), 422);
    let html = sent.text().await.unwrap();
    assert!(
        html.contains("That file is not a JPEG, PNG or WebP image"),
        "{html}"
    );
    assert!(html.contains("value=\"Words the editor typed\""));
    assert!(html.contains("value=\"Photo by Someone Careful\""));
    assert_eq!(app.store.media_count().await.unwrap(), 0);

    // Without the session's CSRF token the form is refused.
    let forged = send_photo(
        &app,
        &format!("/admin/panel/{}/photo", named.id),
        &[("csrf", "forged"), ("alt", "x")],
        Some(("a.png", png(120, 120))),
    )
    .await;
    assert_eq!(forged.status().as_u16(), 403);
    assert_eq!(app.store.media_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_file_that_is_not_a_photo_is_refused_and_the_words_typed_stay_on_sqlite() {
    a_file_that_is_not_a_photo_is_refused_and_the_words_typed_stay(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_file_that_is_not_a_photo_is_refused_and_the_words_typed_stay_on_postgres() {
    a_file_that_is_not_a_photo_is_refused_and_the_words_typed_stay(Backend::Postgres).await;
}

async fn a_panelist_uploads_and_removes_their_own_photo(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let (named, _, urls) = named_and_hidden(&app).await;
    let link = roundtable::column::yours::link_with(
        "",
        &app.store.secret("panelist_page").await.unwrap(),
        named.id,
    );
    let sent = send_photo(
        &app,
        &format!("{link}photo"),
        &[
            ("alt", "Me at the desk"),
            ("credit", "Photo by a friend"),
            ("action", "save"),
        ],
        Some(("me.png", png(500, 400))),
    )
    .await;
    assert_eq!(sent.status().as_u16(), 200);
    assert!(sent.text().await.unwrap().contains("Your photo is saved."));
    let media = app
        .store
        .panelist(named.id)
        .await
        .unwrap()
        .photo_media_id
        .unwrap();
    let (_, post) = app.get(&urls[0]).await;
    assert!(post.contains(&format!("src=\"/media/{media}-96.jpg\"")));
    assert!(post.contains("alt=\"Me at the desk\""));

    // A bad file keeps the words typed.
    let refused = send_photo(
        &app,
        &format!("{link}photo"),
        &[("alt", "Another try"), ("action", "save")],
        Some(("me.gif", b"GIF89a....".to_vec())),
    )
    .await;
    assert_eq!(refused.status().as_u16(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("not a JPEG, PNG or WebP image"));
    assert!(html.contains("value=\"Another try\""));

    let removed = send_photo(&app, &format!("{link}photo"), &[("action", "remove")], None).await;
    assert_eq!(removed.status().as_u16(), 200);
    assert_eq!(app.store.media_count().await.unwrap(), 0);
    let (_, post) = app.get(&urls[0]).await;
    assert!(!post.contains(&format!("/media/{media}-")));
}

#[tokio::test]
async fn a_panelist_uploads_and_removes_their_own_photo_on_sqlite() {
    a_panelist_uploads_and_removes_their_own_photo(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_panelist_uploads_and_removes_their_own_photo_on_postgres() {
    a_panelist_uploads_and_removes_their_own_photo(Backend::Postgres).await;
}

/// The export in `tests/data/` with a copy of its uploads folder holding two of its three
/// images (and nothing for its PDF).
fn uploads_fixture() -> (std::path::PathBuf, tempfile::TempDir) {
    let file = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/wxr-with-uploads.xml");
    let uploads = tempfile::tempdir().unwrap();
    let month = uploads.path().join("2013/08");
    std::fs::create_dir_all(&month).unwrap();
    std::fs::write(month.join("lora.jpg"), jpeg_with_exif(800, 600)).unwrap();
    std::fs::write(month.join("lora-150x150.jpg"), jpeg_with_exif(150, 150)).unwrap();
    (file, uploads)
}

async fn an_import_with_its_uploads_folder_serves_the_images_itself(backend: Backend) {
    let app = TestApp::empty(backend, Default::default()).await;
    let (file, uploads) = uploads_fixture();
    let report = roundtable::interop::import::import_file_with(
        &app.store,
        &file,
        false,
        Some(uploads.path()),
    )
    .await
    .unwrap();
    let lines = report.lines();
    assert_eq!(report.counts.images, 2, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("2013/08/gone.png")
            && l.contains("How do you hire for curiosity?")
            && l.contains("left linking to the old site")),
        "{lines:?}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.contains("survey.pdf")).count(),
        0,
        "only images are looked for: {lines:?}"
    );
    let (_, page) = app.get("/2013/08/12/hire-for-curiosity/").await;
    assert!(!page.contains("uploads/2013/08/lora"), "{page}");
    assert!(page.contains("wp-content/uploads/2013/08/gone.png"));
    assert!(page.contains("wp-content/uploads/2013/08/survey.pdf"));
    let at = page
        .find("src=\"/media/")
        .expect("the image is served from here");
    let src = page[at + 5..].split('"').next().unwrap().to_string();
    assert!(src.ends_with("-150.jpg"), "{src}");
    let served = app.client.get(app.url(&src)).send().await.unwrap();
    assert_eq!(served.status().as_u16(), 200);
    let bytes = served.bytes().await.unwrap();
    assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 150);
    assert!(!bytes.windows(EXIF_CANARY.len()).any(|w| w == EXIF_CANARY));

    // Importing again stores nothing twice.
    let again = roundtable::interop::import::import_file_with(
        &app.store,
        &file,
        false,
        Some(uploads.path()),
    )
    .await
    .unwrap();
    assert_eq!(again.counts.images, 0, "{:?}", again.lines());
    assert_eq!(app.store.media_count().await.unwrap(), 2);
}

#[tokio::test]
async fn an_import_with_its_uploads_folder_serves_the_images_itself_on_sqlite() {
    an_import_with_its_uploads_folder_serves_the_images_itself(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_import_with_its_uploads_folder_serves_the_images_itself_on_postgres() {
    an_import_with_its_uploads_folder_serves_the_images_itself(Backend::Postgres).await;
}

#[tokio::test]
async fn the_editor_uploads_a_panelists_photo_in_the_browser() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    app.store
        .set_editor_password(
            "editor@example.org",
            &roundtable::auth::hash_password(PASSWORD).unwrap(),
        )
        .await
        .unwrap();
    let (named, _, urls) = named_and_hidden(&app).await;
    let folder = tempfile::tempdir().unwrap();
    let photo = folder.path().join("portrait.jpg");
    std::fs::write(&photo, jpeg_with_exif(600, 800)).unwrap();

    let browser = crate::browser::Browser::start().await;
    browser
        .open(&app.url(&format!("/admin/panel/{}/", named.id)))
        .await;
    browser.wait_for_text("Editor sign-in").await;
    browser.fill("Email", "editor@example.org").await;
    browser.fill("Password", PASSWORD).await;
    browser.submit("Sign in").await;
    browser.wait_for_text("Shown beside their answers").await;
    browser
        .fill("What the photo shows (alt text)", "A librarian at the desk")
        .await;
    browser.fill("Credit line", "Photo by the Library").await;
    browser
        .field("Photo file")
        .await
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    browser.submit("Save the photo").await;
    browser.wait_for_text("The photo is saved.").await;
    browser
        .assert_fits("the panelist's page with their photo")
        .await;
    browser.quit().await;

    let (_, post) = app.get(&urls[0]).await;
    assert!(post.contains("alt=\"A librarian at the desk\""), "{post}");
    assert!(post.contains("<figcaption>Photo by the Library</figcaption>"));
}
