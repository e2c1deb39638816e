// Package slackbot is the product as Slack users meet it: signed HTTP
// endpoints (and Socket Mode) that turn events, slash commands and button
// presses into durable jobs, and the workers that answer them in threads.
//
// The path of a question: verify the signature over the raw body, parse,
// drop bot and edited messages, classify (question, show SQL, export CSV),
// insert a River job unique per message, answer 200; a worker posts a
// placeholder, runs the agent, and replaces the placeholder with the answer.
package slackbot
