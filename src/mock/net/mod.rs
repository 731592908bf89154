//! Sockets and bytes, below HTTP: the listener and accept loop both servers run on, TLS and
//! the connection type every handler writes to, the guard on what async-h1 reads, and the
//! loopback `CONNECT` proxy.

pub(super) mod head_guard;
pub(super) mod listen;
pub(super) mod proxy;
pub(super) mod tls;
