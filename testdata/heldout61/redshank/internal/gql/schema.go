// Package gql is the admin console's GraphQL API. graph-gophers/graphql-go
// finds the resolver methods by reflection against the schema below; the
// package's exported surface is only New and Handler.
package gql

const schemaSDL = `
schema {
  query: Query
  mutation: Mutation
}

scalar Time

type Query {
  experiment(id: ID!): Experiment
  experiments(first: Int = 50, after: String): ExperimentConnection!
  apiKeys: [APIKey!]!
}

type Mutation {
  login(email: String!, password: String!): Session!
  requestMagicLink(email: String!): Boolean!
  redeemMagicLink(token: String!): Session!
  logout: Boolean!
  changePassword(current: String!, next: String!): Boolean!
  createAPIKey(name: String!): CreatedAPIKey!
  revokeAPIKey(id: ID!): Boolean!
  createExperiment(input: ExperimentInput!): Experiment!
  updateWeights(id: ID!, weights: [VariantInput!]!): Experiment!
  addVariant(id: ID!, variant: VariantInput!): Experiment!
  stopExperiment(id: ID!): Boolean!
  cacheAudience: Boolean!
}

type Session { id: ID! email: String! tenant: String! expiresAt: Time! token: String }
type Experiment { id: ID! key: String! name: String! status: String! variants: [Variant!]! summary: Summary }
type Variant { name: String! weight: Int! exposures: Int! }
type Summary { days: [String!]! updatedAt: Time! }
type ExperimentConnection { nodes: [Experiment!]! cursor: String }
type APIKey { id: ID! name: String! createdAt: Time! }
type CreatedAPIKey { id: ID! secret: String! }
input ExperimentInput { key: String! name: String! variants: [VariantInput!]! startsAt: Time endsAt: Time }
input VariantInput { name: String! weight: Int! }
`
