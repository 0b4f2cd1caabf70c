// Package kvlist defines an Analyzer that reports Workers KV listings that
// never end, stop too early, or read every listed key one by one.
//
// # Analyzer kvlist
//
// kvlist: report unbounded, truncated and N+1 KV listings
//
// A KV list returns at most 1,000 keys a page, with a cursor for the next
// page and list_complete once there is none; list operations are billed on
// their own, and a Worker invocation may make at most 1,000 KV operations.
// The analyzer reports:
//
//   - at the list, a loop that follows the cursor (or drains an auto-pager)
//     until the listing is complete, with no page or key budget, deadline or
//     early exit: its time, memory and billed operations grow with the
//     namespace; and, at the call, a range over an iterator that pages so
//     (iter.Seq2), or a callback given to a function that does, when only a
//     failure stops it;
//   - at the list, a loop that stops at the first empty page: a page can be
//     empty while more keys follow;
//   - at the list, a cursor passed in options written without the prefix
//     the listing started with: the next pages leave the prefix;
//   - at the list, a single list whose keys are used while its cursor and
//     list_complete are never looked at: everything past the first page is
//     silently missed;
//   - at the get, one get per listed key (N+1), in the loop over the page or
//     later over the collected keys, serial or concurrent: put small values
//     in the keys' metadata, which the list returns, or use a bulk get.
//
// It stays quiet on a page returned with its cursor to the caller, on
// loops bounded by a page or key budget, and on lists given a small Limit.
package kvlist
