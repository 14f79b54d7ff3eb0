//! The client's side of an open WebSocket (RFC 6455, after the opening handshake of
//! `upgrade.rs`): binary messages written as masked frames into one buffer that a flush
//! sends in one write, and messages read from one buffer the socket fills.
//!
//! Hand-written, where tokio-tungstenite's stream did this before: every update the sink
//! sends is a frame written and every confirmation a frame read, and tungstenite's generic
//! message path (a `Message`, a `Frame` per message, a waker set on the stream per call, a
//! random mask drawn from the thread's generator per frame) cost ~810 instructions per
//! frame written and ~620 per frame read, 13% of the sink's instructions per record
//! (bench/profile.sh, issue 23). The subset a Diffusion client needs is small: binary
//! messages, fragments reassembled, pings answered, a close answered, no extensions.
//! tungstenite still serves the opening handshake's pieces and the server's side.

use std::io;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The transport under the WebSocket: TCP, or TLS over TCP for `wss://`.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

const OP_CONTINUATION: u8 = 0x0;
const OP_TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
const OP_PONG: u8 = 0xA;

/// The longest message taken, fragments together: tungstenite's default, which this
/// layer replaced (the server's own limit, `max_message_size`, is far below it).
pub(crate) const MAX_MESSAGE: usize = 64 << 20;

/// Masking keys drawn from the thread's generator at a time: one draw per 64 frames,
/// not one per frame (RFC 6455 §5.3 asks for keys from a strong source; these are
/// ChaCha output, as tungstenite's were).
const MASKS: usize = 64;

/// A write buffer grown past this by a burst or a large message is given back after the
/// flush.
const WRITE_KEEP: usize = 1 << 20;

/// Why the WebSocket cannot go on.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WsError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("WebSocket protocol error: {0}")]
    Protocol(&'static str),
    #[error("a WebSocket message of {len} bytes is over the limit of {MAX_MESSAGE}")]
    TooLong { len: u64 },
    #[error("connection closed")]
    Eof,
}

/// A message from the server.
#[derive(Debug, PartialEq)]
pub(crate) enum Incoming {
    Binary(Bytes),
    /// The server closed the WebSocket, with its status code and reason if it gave them;
    /// the close is answered (buffered: it goes with the next flush).
    Close(Option<(u16, String)>),
}

/// One frame as read: whether it ends its message, its opcode, its payload.
struct Frame {
    fin: bool,
    opcode: u8,
    payload: Bytes,
}

pub(crate) struct WebSocket {
    io: Box<dyn Io>,
    read: BytesMut,
    read_size: usize,
    write: Vec<u8>,
    /// A fragmented message's opcode and its parts so far.
    partial: Option<(u8, BytesMut)>,
    masks: [[u8; 4]; MASKS],
    next_mask: usize,
    close_sent: bool,
}

impl WebSocket {
    /// The WebSocket over `io` once the handshake is done; `already` holds what was read
    /// past the handshake's response (the server may have sent its first frame with it).
    pub(crate) fn new(io: Box<dyn Io>, already: BytesMut, read_size: usize) -> Self {
        let mut read = already;
        read.reserve(read_size);
        WebSocket {
            io,
            read,
            read_size,
            write: Vec::new(),
            partial: None,
            masks: [[0; 4]; MASKS],
            next_mask: MASKS,
            close_sent: false,
        }
    }

    /// The next message, reading the socket while the buffer holds none. Cancel-safe:
    /// what a read takes stays in the buffer, so a `select!` may drop this future.
    pub(crate) async fn read(&mut self) -> Result<Incoming, WsError> {
        loop {
            if let Some(m) = self.buffered()? {
                return Ok(m);
            }
            // Room for a whole `read_size` each time, as tungstenite gave (without its
            // zero-filling: see driver.rs): a read into the scraps of the buffer's room
            // would take a system call for a few frames. Where no frame read from the
            // buffer is still held, the room is its own, reclaimed in place.
            if self.read.capacity() - self.read.len() < self.read_size {
                self.read.reserve(self.read_size);
            }
            if self.io.read_buf(&mut self.read).await? == 0 {
                return Err(WsError::Eof);
            }
        }
    }

    /// The next message if the buffer holds it whole, without reading the socket. Pings
    /// met on the way are answered (buffered for the next flush).
    pub(crate) fn buffered(&mut self) -> Result<Option<Incoming>, WsError> {
        while let Some(f) = self.frame()? {
            match f.opcode {
                OP_BINARY | OP_TEXT if self.partial.is_some() => {
                    return Err(WsError::Protocol(
                        "a new message began inside a fragmented one",
                    ))
                }
                OP_BINARY if f.fin => return Ok(Some(Incoming::Binary(f.payload))),
                // Diffusion sends no text; one would be skipped, as before.
                OP_TEXT if f.fin => {}
                OP_BINARY | OP_TEXT => {
                    self.partial = Some((f.opcode, BytesMut::from(&f.payload[..])))
                }
                OP_CONTINUATION => {
                    let Some((opcode, parts)) = &mut self.partial else {
                        return Err(WsError::Protocol("a continuation frame outside a message"));
                    };
                    let len = (parts.len() + f.payload.len()) as u64;
                    if len > MAX_MESSAGE as u64 {
                        return Err(WsError::TooLong { len });
                    }
                    parts.extend_from_slice(&f.payload);
                    if f.fin {
                        let opcode = *opcode;
                        let (_, parts) = self.partial.take().expect("a message in parts");
                        if opcode == OP_BINARY {
                            return Ok(Some(Incoming::Binary(parts.freeze())));
                        }
                    }
                }
                OP_PING => self.buffer_frame(OP_PONG, &f.payload),
                OP_PONG => {}
                OP_CLOSE => {
                    let status = match f.payload.len() {
                        0 => None,
                        1 => return Err(WsError::Protocol("a close frame of one byte")),
                        _ => Some((
                            u16::from_be_bytes([f.payload[0], f.payload[1]]),
                            String::from_utf8_lossy(&f.payload[2..]).into_owned(),
                        )),
                    };
                    if !self.close_sent {
                        // Echoes the status code (RFC 6455 §5.5.1).
                        let code = &f.payload[..f.payload.len().min(2)];
                        self.buffer_frame(OP_CLOSE, code);
                        self.close_sent = true;
                    }
                    return Ok(Some(Incoming::Close(status)));
                }
                _ => return Err(WsError::Protocol("an unknown opcode")),
            }
        }
        Ok(None)
    }

    /// The next frame if the buffer holds it whole. A frame not yet whole makes room for
    /// itself, so the reads that follow take the rest.
    fn frame(&mut self) -> Result<Option<Frame>, WsError> {
        let b = &self.read[..];
        if b.len() < 2 {
            return Ok(None);
        }
        let (b0, b1) = (b[0], b[1]);
        if b0 & 0x70 != 0 {
            return Err(WsError::Protocol(
                "reserved bits set (no extension was agreed)",
            ));
        }
        if b1 & 0x80 != 0 {
            return Err(WsError::Protocol("a frame from the server is masked"));
        }
        let (len, head) = match b1 & 0x7f {
            126 if b.len() < 4 => return Ok(None),
            126 => (u64::from(u16::from_be_bytes([b[2], b[3]])), 4),
            127 if b.len() < 10 => return Ok(None),
            127 => (
                u64::from_be_bytes(b[2..10].try_into().expect("8 bytes")),
                10,
            ),
            n => (u64::from(n), 2),
        };
        let (fin, opcode) = (b0 & 0x80 != 0, b0 & 0x0f);
        if opcode >= OP_CLOSE && (!fin || len > 125) {
            return Err(WsError::Protocol(
                "a control frame fragmented or over 125 bytes",
            ));
        }
        if len > MAX_MESSAGE as u64 {
            return Err(WsError::TooLong { len });
        }
        let whole = head + len as usize;
        if b.len() < whole {
            self.read.reserve(whole - self.read.len());
            return Ok(None);
        }
        self.read.advance(head);
        let payload = self.read.split_to(len as usize).freeze();
        Ok(Some(Frame {
            fin,
            opcode,
            payload,
        }))
    }

    /// Adds a binary message to the write buffer, as one masked frame; `flush` sends it.
    pub(crate) fn buffer_binary(&mut self, payload: &[u8]) {
        self.buffer_frame(OP_BINARY, payload);
    }

    /// Whether frames are buffered and not yet sent (answers to pings and closes among
    /// them).
    pub(crate) fn has_unsent(&self) -> bool {
        !self.write.is_empty()
    }

    fn buffer_frame(&mut self, opcode: u8, payload: &[u8]) {
        let key = self.mask();
        let len = payload.len();
        let w = &mut self.write;
        w.push(0x80 | opcode);
        if len < 126 {
            w.push(0x80 | len as u8);
        } else if len <= usize::from(u16::MAX) {
            w.push(0x80 | 126);
            w.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            w.push(0x80 | 127);
            w.extend_from_slice(&(len as u64).to_be_bytes());
        }
        w.extend_from_slice(&key);
        let start = w.len();
        w.extend_from_slice(payload);
        apply_mask(&mut w[start..], key);
    }

    /// The next masking key.
    fn mask(&mut self) -> [u8; 4] {
        if self.next_mask == MASKS {
            rand::fill(self.masks.as_flattened_mut());
            self.next_mask = 0;
        }
        self.next_mask += 1;
        self.masks[self.next_mask - 1]
    }

    /// Sends what is buffered, in one write where the socket takes it.
    pub(crate) async fn flush(&mut self) -> Result<(), WsError> {
        if !self.write.is_empty() {
            self.io.write_all(&self.write).await?;
            self.write.clear();
            if self.write.capacity() > WRITE_KEEP {
                self.write.shrink_to(WRITE_KEEP);
            }
        }
        // TLS holds what it encrypted until flushed.
        self.io.flush().await?;
        Ok(())
    }

    /// Buffers `payload` as a binary message and sends what is buffered.
    pub(crate) async fn send(&mut self, payload: &[u8]) -> Result<(), WsError> {
        self.buffer_binary(payload);
        self.flush().await
    }

    /// Closes the WebSocket from this side: a close frame without a status, as
    /// tungstenite's `close(None)` sent, then the transport's end (TLS's close_notify).
    pub(crate) async fn close(&mut self) -> Result<(), WsError> {
        if !self.close_sent {
            self.buffer_frame(OP_CLOSE, &[]);
            self.close_sent = true;
        }
        self.flush().await?;
        self.io.shutdown().await?;
        Ok(())
    }
}

/// XORs `buf` with `key` repeated (RFC 6455 §5.3), eight bytes at a time.
fn apply_mask(buf: &mut [u8], key: [u8; 4]) {
    let [a, b, c, d] = key;
    let key8 = u64::from_ne_bytes([a, b, c, d, a, b, c, d]);
    let mut words = buf.chunks_exact_mut(8);
    for w in &mut words {
        let x = u64::from_ne_bytes((&*w).try_into().expect("8 bytes")) ^ key8;
        w.copy_from_slice(&x.to_ne_bytes());
    }
    // The rest starts at a multiple of eight, so at the key's first byte.
    for (i, byte) in words.into_remainder().iter_mut().enumerate() {
        *byte ^= key[i & 3];
    }
}

#[cfg(test)]
mod tests {
    //! Against tungstenite's server side, which the embedded server runs: what one writes
    //! the other must read, at every length encoding, in fragments, with control frames.
    use super::*;
    use futures_util::{SinkExt, StreamExt};
    use tokio::io::DuplexStream;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
    use tokio_tungstenite::tungstenite::protocol::frame::Frame as TFrame;
    use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::WebSocketStream;

    /// Lengths at and around each of the three length encodings.
    const LENGTHS: [usize; 8] = [0, 1, 125, 126, 127, 65_535, 65_536, 200_000];

    async fn pair() -> (WebSocket, WebSocketStream<DuplexStream>) {
        let (ours, theirs) = tokio::io::duplex(1 << 20);
        let server = WebSocketStream::from_raw_socket(theirs, Role::Server, None).await;
        (
            WebSocket::new(Box::new(ours), BytesMut::new(), 16 * 1024),
            server,
        )
    }

    fn payload(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    fn apply_mask_bytewise(buf: &mut [u8], key: [u8; 4]) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= key[i % 4];
        }
    }

    #[test]
    fn the_word_mask_is_the_bytewise_mask_at_every_length() {
        let key = [0x12, 0x34, 0x56, 0x78];
        for len in 0..40 {
            let data = payload(len);
            let (mut fast, mut slow) = (data.clone(), data.clone());
            apply_mask(&mut fast, key);
            apply_mask_bytewise(&mut slow, key);
            assert_eq!(fast, slow, "length {len}");
        }
    }

    #[tokio::test]
    async fn messages_of_every_length_encoding_go_both_ways() {
        let (mut ws, mut server) = pair().await;
        for len in LENGTHS {
            ws.buffer_binary(&payload(len));
        }
        // Each frame with its own key: more than one draw of keys.
        for _ in 0..MASKS {
            ws.buffer_binary(b"k");
        }
        ws.flush().await.unwrap();
        for len in LENGTHS {
            let m = server.next().await.unwrap().unwrap();
            assert_eq!(m, Message::Binary(payload(len).into()), "length {len}");
        }
        for _ in 0..MASKS {
            assert_eq!(
                server.next().await.unwrap().unwrap(),
                Message::binary(&b"k"[..])
            );
        }
        for len in LENGTHS {
            server.send(Message::binary(payload(len))).await.unwrap();
        }
        for len in LENGTHS {
            assert_eq!(
                ws.read().await.unwrap(),
                Incoming::Binary(payload(len).into()),
                "length {len}"
            );
        }
    }

    #[tokio::test]
    async fn a_fragmented_message_is_read_whole_and_a_ping_between_its_parts_answered() {
        let (mut ws, mut server) = pair().await;
        let whole = payload(1000);
        let parts = [
            TFrame::message(whole[..300].to_vec(), OpCode::Data(Data::Binary), false),
            TFrame::ping(&b"are you there"[..]),
            TFrame::message(
                whole[300..700].to_vec(),
                OpCode::Data(Data::Continue),
                false,
            ),
            TFrame::message(whole[700..].to_vec(), OpCode::Data(Data::Continue), true),
        ];
        for f in parts {
            server.send(Message::Frame(f)).await.unwrap();
        }
        assert_eq!(ws.read().await.unwrap(), Incoming::Binary(whole.into()));
        assert!(ws.has_unsent(), "the pong waits for the flush");
        ws.flush().await.unwrap();
        assert_eq!(
            server.next().await.unwrap().unwrap(),
            Message::Pong(b"are you there"[..].into())
        );
    }

    #[tokio::test]
    async fn frames_split_anywhere_between_reads_are_read_the_same() {
        // A pipe of a few bytes hands the frames over in pieces cut at every place: in
        // the head, in the extended length, in the payload, between fragments.
        for capacity in [1, 2, 3, 5, 7, 13, 64, 1000] {
            let (ours, theirs) = tokio::io::duplex(capacity);
            let mut ws = WebSocket::new(Box::new(ours), BytesMut::new(), 16);
            let lengths = [0, 1, 125, 126, 300, 65_536];
            let writer = tokio::spawn(async move {
                let mut server = WebSocketStream::from_raw_socket(theirs, Role::Server, None).await;
                for len in lengths {
                    server.feed(Message::binary(payload(len))).await.unwrap();
                    let whole = payload(len + 10);
                    let parts = [
                        (&whole[..5], Data::Binary, false),
                        (&whole[5..], Data::Continue, true),
                    ];
                    for (part, op, fin) in parts {
                        let f = TFrame::message(part.to_vec(), OpCode::Data(op), fin);
                        server.feed(Message::Frame(f)).await.unwrap();
                    }
                }
                server.flush().await.unwrap();
                server
            });
            for len in lengths {
                let got = ws.read().await.unwrap();
                assert_eq!(
                    got,
                    Incoming::Binary(payload(len).into()),
                    "{capacity}: {len}"
                );
                let got = ws.read().await.unwrap();
                assert_eq!(
                    got,
                    Incoming::Binary(payload(len + 10).into()),
                    "{capacity}: {len} in parts"
                );
            }
            drop(writer.await.unwrap());
        }
    }

    #[tokio::test]
    async fn a_close_from_the_server_is_read_with_its_status_and_answered() {
        let (mut ws, mut server) = pair().await;
        server
            .send(Message::Close(Some(CloseFrame {
                code: CloseCode::Away,
                reason: "going".into(),
            })))
            .await
            .unwrap();
        assert_eq!(
            ws.read().await.unwrap(),
            Incoming::Close(Some((1001, "going".into())))
        );
        ws.flush().await.unwrap();
        // The answer echoes the status code.
        match server.next().await.unwrap().unwrap() {
            Message::Close(Some(f)) => assert_eq!(f.code, CloseCode::Away),
            other => panic!("not the close's answer: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_close_from_us_reaches_the_server() {
        let (mut ws, mut server) = pair().await;
        ws.close().await.unwrap();
        assert_eq!(server.next().await.unwrap().unwrap(), Message::Close(None));
    }

    #[tokio::test]
    async fn a_masked_frame_a_stray_continuation_and_an_end_of_stream_are_errors() {
        let bad: [&[u8]; 4] = [
            // Masked (servers must not mask).
            &[0x82, 0x81, 1, 2, 3, 4, 0x55],
            // A continuation with no message begun.
            &[0x80, 0x01, 0x55],
            // A reserved bit.
            &[0xC2, 0x01, 0x55],
            // A ping of 126 bytes (control frames hold at most 125).
            &[0x89, 0x7E, 0x00, 0x7E],
        ];
        for bytes in bad {
            let (ours, mut theirs) = tokio::io::duplex(1024);
            let mut ws = WebSocket::new(Box::new(ours), BytesMut::new(), 1024);
            theirs.write_all(bytes).await.unwrap();
            let e = ws.read().await.unwrap_err();
            assert!(matches!(e, WsError::Protocol(_)), "{bytes:x?}: {e}");
        }
        let (ours, theirs) = tokio::io::duplex(1024);
        let mut ws = WebSocket::new(Box::new(ours), BytesMut::new(), 1024);
        drop(theirs);
        assert!(matches!(ws.read().await, Err(WsError::Eof)));
    }

    #[tokio::test]
    async fn a_frame_over_the_limit_is_refused_from_its_head() {
        let (ours, mut theirs) = tokio::io::duplex(1024);
        let mut ws = WebSocket::new(Box::new(ours), BytesMut::new(), 1024);
        let mut head = vec![0x82, 0x7F];
        head.extend_from_slice(&(MAX_MESSAGE as u64 + 1).to_be_bytes());
        theirs.write_all(&head).await.unwrap();
        assert!(matches!(ws.read().await, Err(WsError::TooLong { .. })));
    }

    #[tokio::test]
    async fn what_came_with_the_handshake_is_read_first() {
        let (ours, mut theirs) = tokio::io::duplex(1024);
        let already = BytesMut::from(&[0x82, 0x02, b'h', b'i', 0x82][..]);
        let mut ws = WebSocket::new(Box::new(ours), already, 1024);
        assert_eq!(
            ws.read().await.unwrap(),
            Incoming::Binary(Bytes::from_static(b"hi"))
        );
        // The second frame's head began in what was already read.
        theirs.write_all(&[0x01, b'!']).await.unwrap();
        assert_eq!(
            ws.read().await.unwrap(),
            Incoming::Binary(Bytes::from_static(b"!"))
        );
    }
}
