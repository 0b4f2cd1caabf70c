// Module example.com/libs stands for third-party libraries that kvlint's
// cases import: a chat platform's, a command-line tool's, an upload
// server's and a secrets-engine framework's.
module example.com/libs

go 1.26
