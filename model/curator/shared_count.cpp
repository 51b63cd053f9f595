#include "model/curator/shared_count.hpp"

namespace model::curator {

std::string encode_count(std::int32_t value) {
  const auto bits = static_cast<std::uint32_t>(value);
  return std::string{static_cast<char>(bits >> 24), static_cast<char>((bits >> 16) & 0xff),
                     static_cast<char>((bits >> 8) & 0xff), static_cast<char>(bits & 0xff)};
}

std::optional<std::int32_t> decode_count(const zk::Data& data) {
  if (!data || data->size() != 4) return std::nullopt;
  std::uint32_t bits = 0;
  for (const char byte : *data) bits = (bits << 8) | static_cast<unsigned char>(byte);
  return static_cast<std::int32_t>(bits);
}

SharedCount::SharedCount(CuratorFramework& client, std::string path, std::int32_t seed_value)
    : client_(client), path_(std::move(path)), seed_value_(seed_value) {}

zk::Code SharedCount::start() {
  const CreateResult created =
      client_.create(path_, encode_count(seed_value_), zk::CreateMode::Persistent, CreateOptions{false, true});
  if (created.code != zk::Code::Ok && created.code != zk::Code::NodeExists) return created.code;
  return refresh();
}

zk::Code SharedCount::refresh() {
  const DataResult read = client_.get_data(path_);
  if (read.code != zk::Code::Ok) return read.code;
  const auto value = decode_count(read.data);
  if (!value) return zk::Code::MarshallingError;
  cached_ = VersionedValue{*value, read.stat.version};
  return zk::Code::Ok;
}

std::optional<bool> SharedCount::try_set_count(const VersionedValue& previous, std::int32_t new_value) {
  const StatResult written = client_.set_data(path_, encode_count(new_value), previous.version);
  if (written.code == zk::Code::Ok) {
    cached_ = VersionedValue{new_value, written.stat.version};
    return true;
  }
  if (written.code == zk::Code::BadVersion) {
    if (refresh() != zk::Code::Ok) return std::nullopt;
    return false;
  }
  return std::nullopt;
}

zk::Code SharedCount::set_without_cas(std::int32_t new_value) {
  const StatResult written = client_.set_data(path_, encode_count(new_value), -1);
  if (written.code == zk::Code::Ok) cached_ = VersionedValue{new_value, written.stat.version};
  return written.code;
}

}  // namespace model::curator
