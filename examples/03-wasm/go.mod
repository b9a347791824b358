module example.com/crosscheck/wasm

go 1.22
