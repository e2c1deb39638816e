// Package chart turns a structured query result into a PNG chart for
// Slack, or decides that no chart would help.
//
// The choice of chart is deterministic and made from the result's shape
// only: the column types, the number of rows and the number of distinct
// categories. The model may pass a hint, but it never writes plotting
// code; everything drawn here is fixed Go code over gonum/plot, which
// keeps the bot clear of the "LLM writes the chart code" class of bugs
// (CVE-2024-5565 in Vanna).
package chart
