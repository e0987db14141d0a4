package bench.kstreams;

import bench.kstreams.Model.Command;
import bench.kstreams.Model.Payment;
import bench.kstreams.Model.PendingPayment;
import bench.kstreams.Model.Reservation;
import bench.kstreams.Model.Resource;
import bench.kstreams.Model.Status;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serdes: JSON inputs bound to records once (Jackson databind), outputs written straight from their
 * Jackson trees, and store values in a compact binary form (DataOutput) — no JSON in any store.
 */
final class Codecs {
  private Codecs() {}

  static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** A JSON input bound to {@code type}; a value that is not JSON fails the record (the workload sends none). */
  static <T> Deserializer<T> json(Class<T> type) {
    return (topic, bytes) -> {
      if (bytes == null) return null;
      try {
        return JSON.readValue(bytes, type);
      } catch (IOException e) {
        throw new UncheckedIOException("not a " + type.getSimpleName() + ": " + new String(bytes), e);
      }
    };
  }

  static final Serializer<ObjectNode> JSON_NODE = (topic, node) -> {
    try {
      return node == null ? null : JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  };

  static final Deserializer<Resource> RESOURCE_JSON = json(Resource.class);
  static final Deserializer<Command> COMMAND_JSON = json(Command.class);
  static final Deserializer<Payment> PAYMENT_JSON = json(Payment.class);

  interface Writer<T> {
    void write(DataOutputStream out, T value) throws IOException;
  }

  interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  static <T> Serde<T> binary(Writer<T> writer, Reader<T> reader) {
    return Serdes.serdeFrom(
        (topic, value) -> {
          if (value == null) return null;
          ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
          try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out, value);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return bytes.toByteArray();
        },
        (topic, bytes) -> {
          if (bytes == null) return null;
          try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return reader.read(in);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  static final Serde<Resource> RESOURCE = binary(
      (out, r) -> {
        out.writeUTF(r.resourceId());
        out.writeInt(r.capacity());
        out.writeInt(r.slotMinutes());
        out.writeInt(r.overbookingLimit());
        out.writeLong(r.priceCentsPerUnitSlot());
      },
      in -> new Resource(in.readUTF(), in.readInt(), in.readInt(), in.readInt(), in.readLong()));

  static final Serde<Reservation> RESERVATION = binary(
      (out, r) -> {
        out.writeUTF(r.reservationId);
        out.writeUTF(r.resourceId);
        out.writeUTF(r.customerId);
        out.writeLong(r.start);
        out.writeLong(r.end);
        out.writeInt(r.quantity);
        out.writeLong(r.priceCents);
        out.writeByte(r.status.ordinal());
        out.writeLong(r.holdExpiresAt);
        out.writeLong(r.authorizedCents);
        out.writeLong(r.refundedCents);
        out.writeLong(r.createdAt);
        out.writeUTF(r.createdBy);
      },
      in -> {
        Reservation r = new Reservation();
        r.reservationId = in.readUTF();
        r.resourceId = in.readUTF();
        r.customerId = in.readUTF();
        r.start = in.readLong();
        r.end = in.readLong();
        r.quantity = in.readInt();
        r.priceCents = in.readLong();
        r.status = Status.values()[in.readByte()];
        r.holdExpiresAt = in.readLong();
        r.authorizedCents = in.readLong();
        r.refundedCents = in.readLong();
        r.createdAt = in.readLong();
        r.createdBy = in.readUTF();
        return r;
      });

  static final Serde<Payment> PAYMENT = binary(
      (out, p) -> {
        out.writeUTF(p.paymentId());
        out.writeUTF(p.type());
        out.writeUTF(p.reservationId());
        out.writeLong(p.amountCents());
        out.writeUTF(p.method() == null ? "" : p.method());
      },
      in -> {
        String paymentId = in.readUTF();
        String type = in.readUTF();
        String reservationId = in.readUTF();
        long amount = in.readLong();
        String method = in.readUTF();
        return new Payment(paymentId, type, reservationId, amount, method.isEmpty() ? null : method);
      });

  static final Serde<PendingPayment> PENDING_PAYMENT = binary(
      (out, p) -> {
        out.writeUTF(p.reservationId());
        out.writeUTF(p.topic());
        out.writeInt(p.partition());
        out.writeLong(p.offset());
        out.writeLong(p.timestamp());
        out.writeUTF(p.key() == null ? "" : p.key());
        out.writeInt(p.value().length);
        out.write(p.value());
      },
      in -> {
        String reservationId = in.readUTF();
        String topic = in.readUTF();
        int partition = in.readInt();
        long offset = in.readLong();
        long timestamp = in.readLong();
        String key = in.readUTF();
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        return new PendingPayment(reservationId, topic, partition, offset, timestamp, key, value);
      });
}
