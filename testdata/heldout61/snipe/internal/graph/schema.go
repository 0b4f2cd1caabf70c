// Package graph serves the operator console's GraphQL API. graphql-go finds
// the resolver methods by reflection when the schema is parsed.
package graph

import (
	"net/http"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/graph-gophers/graphql-go/relay"
)

// SchemaSDL is the console API.
const SchemaSDL = `
schema {
  query: Query
  mutation: Mutation
}

type Query {
  device(id: ID!): Device
  devices(cohort: String!, after: String, first: Int): DevicePage!
  operatorSessions(operator: String!): [Session!]!
  manifest(channel: String!): String
}

type Mutation {
  registerDevice(input: RegisterDeviceInput!): Device!
  issueProvisioningToken(deviceId: ID!): String!
  rotateDeviceSecret(deviceId: ID!): String!
  startRollout(firmware: String!, cohort: String!, batchSize: Int!): Rollout!
  pauseRollout(id: ID!): Rollout!
  enqueueCommand(deviceId: ID!, name: String!, args: String): Int!
  publishManifest(input: ManifestInput!): Boolean!
  logout(operator: String!, sessionId: ID!): Boolean!
}

input ManifestInput {
  channel: String!
  firmware: String!
  url: String!
  sha256: String!
  validDays: Int
}

input RegisterDeviceInput {
  serial: String!
  name: String!
  model: String!
  tenant: String!
  cohort: String!
}

type Device {
  id: ID!
  serial: String!
  name: String!
  model: String!
  firmware: String
}

type DevicePage {
  devices: [Device!]!
  cursor: String
}

type Rollout {
  id: ID!
  firmware: String!
  cohort: String!
  state: String!
}

type Session {
  id: ID!
  role: String!
  lastSeen: String!
}
`

// Handler parses the schema against r and returns the HTTP endpoint.
func Handler(r *Resolver) http.Handler {
	schema := graphql.MustParseSchema(SchemaSDL, r, graphql.MaxDepth(8))
	return &relay.Handler{Schema: schema}
}
