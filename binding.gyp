{
  # Sources and per-ISA flags come from native/sources.json, the list CMakeLists.txt reads too.
  # Each ISA's translation units form a static library compiled with that ISA's flags only; the
  # addon links the ones for its architecture and defines KEEL_HAVE_<ISA> for the dispatch code.
  "variables": {
    "sources_json": "native/sources.json"
  },
  "target_defaults": {
    "include_dirs": [
      "<!(node -p \"require('node-addon-api').include_dir\")",
      "<!@(node -p \"require('./native/sources.json').include.join(' ')\")"
    ],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
    "cflags": ["-O3", "-fPIC", "-ffp-contract=off", "-fno-math-errno"],
    "cflags_cc": ["-std=c++17", "-O3", "-fPIC", "-ffp-contract=off", "-fno-math-errno", "-Wall", "-Wextra"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "OTHER_CPLUSPLUSFLAGS": ["-ffp-contract=off"]
    },
    "msvs_settings": {
      "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17", "/fp:precise"] }
    }
  },
  "targets": [
    {
      "target_name": "keel",
      "sources": [
        "<!@(node -p \"const s = require('./native/sources.json'); s.kernels.concat(s.binding).join(' ')\")"
      ],
      # The addon's defines come from native/binding/defines.json (CMakeLists.txt reads it too), which
      # says why each is there; among them NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS, without which a
      # worker terminated inside an addon call aborts the whole process.
      "defines": ["<!@(node -p \"require('./native/binding/defines.json').defines.join(' ')\")"],
      "conditions": [
        ["target_arch=='x64'", {
          "dependencies": ["keel_avx2", "keel_avx512"],
          "defines": ["KEEL_HAVE_AVX2", "KEEL_HAVE_AVX512"]
        }],
        ["target_arch=='arm64'", {
          "dependencies": ["keel_neon"],
          "defines": ["KEEL_HAVE_NEON"]
        }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "keel_avx2",
          "type": "static_library",
          "sources": ["<!@(node -p \"require('./native/sources.json').isa.avx2.sources.join(' ')\")"],
          "cflags_cc": ["<!@(node -p \"require('./native/sources.json').isa.avx2.flags.join(' ')\")"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["<!@(node -p \"require('./native/sources.json').isa.avx2.flags.join(' ')\")"] }
        },
        {
          "target_name": "keel_avx512",
          "type": "static_library",
          "sources": ["<!@(node -p \"require('./native/sources.json').isa.avx512.sources.join(' ')\")"],
          "cflags_cc": ["<!@(node -p \"require('./native/sources.json').isa.avx512.flags.join(' ')\")"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["<!@(node -p \"require('./native/sources.json').isa.avx512.flags.join(' ')\")"] }
        }
      ]
    }],
    ["target_arch=='arm64'", {
      "targets": [
        {
          "target_name": "keel_neon",
          "type": "static_library",
          "sources": ["<!@(node -p \"require('./native/sources.json').isa.neon.sources.join(' ')\")"]
        }
      ]
    }]
  ]
}
