{
  "targets": [
    {
      "target_name": "uvhttp",
      "sources": [
        "native/addon.cc",
        "native/batch.cc",
        "native/http_parser.cc",
        "native/connection.cc",
        "native/connection_wrap.cc",
        "native/listener.cc",
        "native/standalone_parser.cc",
        "native/write_queue.cc",
        "<!@(node scripts/llhttp-sources.js)"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native/deps/llhttp/include"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags": ["-O3", "-fvisibility=hidden"],
      "cflags_cc": ["-O3", "-fvisibility=hidden", "-std=c++17"],
      "xcode_settings": {
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3"]
      }
    }
  ]
}
