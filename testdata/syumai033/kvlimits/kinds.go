package kvlimits

import "kvlint.test/syumai033/kvttl/kinds"

// The kind given picks the page size: a search result's is more than a
// list returns. (Sessions and payouts share a case: neither is 2,000.)
func searchPage(s kinds.Scope, cursor string) error {
	_, err := s.Page(cursor, kinds.SearchResult.Limit()) // want `a KV list returns at most 1,000 keys a page, and a Limit of 2000`
	return err
}

func sessionPage(s kinds.Scope, cursor string) error {
	_, err := s.Page(cursor, kinds.Session.Limit())
	return err
}
