// Module example.com/libs stands for third-party libraries that kvlint's
// cases import: a chat platform's and a command-line tool's.
module example.com/libs

go 1.26
