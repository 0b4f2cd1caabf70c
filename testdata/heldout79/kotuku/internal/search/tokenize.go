// Package search keeps a full-text inverted index of marketplace listings in
// Workers KV: one posting list per stemmed term, autocomplete entries per
// term, and cached result pages for popular queries.
package search

import (
	"slices"
	"strings"
	"unicode"
)

var stopwords = map[string]struct{}{
	"a": {}, "an": {}, "and": {}, "are": {}, "as": {}, "at": {}, "be": {}, "by": {},
	"for": {}, "from": {}, "in": {}, "is": {}, "it": {}, "of": {}, "on": {}, "or": {},
	"the": {}, "to": {}, "with": {}, "very": {}, "good": {}, "condition": {},
}

// Tokens splits text into lower-case words, dropping punctuation.
func Tokens(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Terms returns the distinct stemmed index terms of text, sorted.
func Terms(text string) []string {
	var out []string
	for _, tok := range Tokens(text) {
		if _, stop := stopwords[tok]; stop || len(tok) < 2 {
			continue
		}
		out = append(out, Stem(tok))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Stem removes common English inflections. It is deliberately conservative:
// listings are short and over-stemming merges brand names.
func Stem(w string) string {
	if len(w) <= 3 || isNumeric(w) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ing") && len(w) > 5:
		return undouble(w[:len(w)-3])
	case strings.HasSuffix(w, "ed") && len(w) > 4:
		return undouble(w[:len(w)-2])
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"):
		return w
	case strings.HasSuffix(w, "es") && len(w) > 4 && strings.ContainsRune("sxz", rune(w[len(w)-3])):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

func undouble(w string) string {
	n := len(w)
	if n >= 2 && w[n-1] == w[n-2] && !strings.ContainsRune("lsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

func isNumeric(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// Normalize returns the canonical form of a query used as a cache key.
func Normalize(q string) string {
	return strings.Join(Terms(q), " ")
}
