// Package metrics exposes process counters through expvar.
package metrics

import "expvar"

var (
	KVReads       = expvar.NewInt("kv_reads")
	KVWrites      = expvar.NewInt("kv_writes")
	KVMisses      = expvar.NewInt("kv_misses")
	TicketsQueued = expvar.NewInt("tickets_queued")
	MatchesFormed = expvar.NewInt("matches_formed")
	RewardClaims  = expvar.NewMap("reward_claims")
	BoardViews    = expvar.NewMap("board_views")
	GraphQLFields = expvar.NewMap("graphql_fields")
)
