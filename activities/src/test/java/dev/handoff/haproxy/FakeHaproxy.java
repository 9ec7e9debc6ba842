package dev.handoff.haproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A Unix socket that answers one command per connection the way HAProxy's non-interactive CLI does
 * (answer, then close); {@code null} from the handler means: never answer (a stuck process).
 */
final class FakeHaproxy implements AutoCloseable {
  final Path socket;
  final List<String> commands = new CopyOnWriteArrayList<>();
  private final ServerSocketChannel server;
  private final Thread thread;
  private final List<SocketChannel> held = new CopyOnWriteArrayList<>();

  FakeHaproxy(Path socket, Function<String, String> answers) throws IOException {
    this.socket = socket;
    Files.deleteIfExists(socket);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    thread = new Thread(() -> {
      while (server.isOpen()) {
        try {
          SocketChannel ch = server.accept();
          String command = readLine(ch);
          commands.add(command);
          String answer = answers.apply(command);
          if (answer == null) {
            held.add(ch); // never answers, never closes
            continue;
          }
          ch.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
          ch.close();
        } catch (IOException closed) {
          return;
        }
      }
    }, "fake-haproxy");
    thread.setDaemon(true);
    thread.start();
  }

  private static String readLine(SocketChannel ch) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (ch.read(one) > 0) {
      if (one.get(0) == '\n') {
        break;
      }
      buf.write(one.get(0));
      one.clear();
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (SocketChannel ch : held) {
      ch.close();
    }
    Files.deleteIfExists(socket);
  }
}
