"""proxy.py — a loopback TCP relay that records every byte both ways, so a
test can check what crossed the wire. Usage: proxy.py LISTEN_PORT_FILE TARGET_PORT CAPTURE_FILE"""
import socket, sys, threading

port_file, target, capture = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()
out = open(capture, 'ab')

def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            with lock:
                out.write(data)
                out.flush()
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0))
srv.listen(16)
with open(port_file, 'w') as f:
    f.write(str(srv.getsockname()[1]))
while True:
    c, _ = srv.accept()
    u = socket.create_connection(('127.0.0.1', target))
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
