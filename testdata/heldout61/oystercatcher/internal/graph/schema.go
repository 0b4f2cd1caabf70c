// Package graph serves the storefront and organiser GraphQL API. The
// resolver methods are found by graphql-go through reflection.
package graph

const Schema = `
schema {
	query: Query
	mutation: Mutation
}

type Query {
	event(id: ID!): Event
	eventBySlug(slug: String!): Event
	holds(eventId: ID!, first: Int = 100, after: String): HoldPage!
	me: Organiser
}

type Mutation {
	holdSeat(input: HoldSeatInput!): Hold!
	extendHold(eventId: ID!, seat: String!, buyerId: ID!, minutes: Int!): Hold!
	claimSlug(eventId: ID!, slug: String!): Event!
	publishEvent(id: ID!): Event!
	requestLogin(orgId: ID!, email: String!): Boolean!
	redeemLogin(code: String!): LoginPayload!
	logout: Boolean!
}

type Event {
	id: ID!
	slug: String!
	title: String!
	venue: String!
	startsAt: String!
	capacity: Int!
	views: Int!
	available: Int!
	seatMap: String!
	hasHolds: Boolean!
}

type Hold {
	id: ID!
	seat: String!
	expiresAt: String!
	extended: Int!
}

type HoldPage {
	seats: [String!]!
	cursor: String
}

type Organiser {
	orgId: ID!
	email: String!
	expiresAt: String!
}

type LoginPayload {
	token: String!
	organiser: Organiser!
}

input HoldSeatInput {
	eventId: ID!
	seat: String!
	buyerId: ID!
}
`
