// An HTTP server for tests, on a free loopback port, running on its own thread for the life of the
// object: register routes on `http`, then start(). Declare it as the LAST member of a fixture whose
// other members its handlers use, so that it stops before they are destroyed.
#ifndef ABSTRAKT_TESTS_LOCAL_SERVER_H
#define ABSTRAKT_TESTS_LOCAL_SERVER_H

#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

namespace abstrakt::test {

class LocalServer {
  public:
    httplib::Server http;

    void start() {
        port_ = http.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { http.listen_after_bind(); });
        while (!http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~LocalServer() {
        if (!thread_.joinable()) return;
        http.stop();
        thread_.join();
    }
    int port() const { return port_; }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  private:
    int port_ = 0;
    std::thread thread_;
};

}  // namespace abstrakt::test

#endif  // ABSTRAKT_TESTS_LOCAL_SERVER_H
