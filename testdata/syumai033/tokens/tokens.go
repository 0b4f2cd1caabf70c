// Package tokens holds the records of API tokens.
package tokens

// Record is one token's record, stored under a hash of the token.
type Record struct {
	UserID   string
	LastUsed int64
}
