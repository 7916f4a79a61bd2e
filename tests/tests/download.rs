//! A 50 MB download streams through a small buffer: peak memory grows by far less than the
//! file. (Figures are printed; run with `--nocapture` to see them.)

use std::io::{Read, Write};

use webex_bot::Client;

const SIZE: usize = 50 * 1024 * 1024;

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0)
}

/// Counts and checksums what it is given, keeping nothing.
struct Sink {
    bytes: usize,
    sum: u64,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len();
        self.sum = buf.iter().fold(self.sum, |s, b| {
            s.wrapping_mul(31).wrapping_add(u64::from(*b))
        });
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_50_mb_download_is_streamed_with_bounded_memory() {
    // A bare server streaming the file from a generator, so that only the client's memory
    // is measured: HEAD then GET, a connection each.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for _ in 0..2 {
            let (mut conn, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                conn.read_exact(&mut byte).unwrap();
                head.push(byte[0]);
            }
            write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
                 Content-Disposition: attachment; filename=\"big.bin\"\r\n\
                 Content-Length: {SIZE}\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            if head.starts_with(b"GET ") {
                std::io::copy(&mut std::io::repeat(7u8).take(SIZE as u64), &mut conn).unwrap();
            }
        }
    });
    let client = Client::builder()
        .token("t")
        .base_url(format!("{origin}/v1"))
        .build()
        .unwrap();
    let url = format!("{origin}/v1/contents/big");

    let info = client.files().info(&url).unwrap();
    assert_eq!(info.name.as_deref(), Some("big.bin"));
    assert_eq!(info.size, Some(SIZE as u64));

    let before = vm_hwm_kib();
    let mut sink = Sink { bytes: 0, sum: 0 };
    let got = client.files().download(&url, &mut sink).unwrap();
    let after = vm_hwm_kib();
    handle.join().unwrap();
    assert_eq!(sink.bytes, SIZE);
    assert_eq!(got.name.as_deref(), Some("big.bin"));
    assert_eq!(got.size, Some(SIZE as u64));
    let grown_mib = (after.saturating_sub(before)) as f64 / 1024.0;
    println!(
        "download of {} MiB: peak RSS before {:.1} MiB, after {:.1} MiB (+{grown_mib:.1} MiB)",
        SIZE >> 20,
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );
    assert!(
        grown_mib < 16.0,
        "peak RSS grew by {grown_mib:.1} MiB for a 50 MiB download"
    );
}
