// Package keys names the guestbook's keys. It uses no KV itself: kvlint
// reads its text from the syntax, also when only a package that imports
// it is named on the command line.
package keys

// Signer is the key of a signer's login.
func Signer(id string) string { return "sess:" + id }
