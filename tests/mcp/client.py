"""A real MCP client (the official Python SDK) that runs one scenario against the analyst's MCP
server and prints its observations as one JSON object on stdout, for Rust tests to assert on.

Transports:
  --url URL --key KEY          Streamable HTTP (the API's /mcp); --key '' sends no key
  --stdio-command CMD ARG...   stdio (e.g. `analyst mcp --url ... --key ...`); must come last

Steps (--steps, comma-separated, run in order):
  tools               initialize and list the tools with their input and output schemas
  list_datasources    call list_datasources
  describe            call describe_datasource on --datasource
  suggest             call suggest_questions on --datasource
  ask                 call ask with --question on --datasource
  approve             call approve on --job-id (or the job of the last ask)
  delete_sql          call run_sql with `DELETE FROM restaurant`
  select_sql          call run_sql with --sql
  resources           list the resources, read the schema resource of --datasource and read
                      the schema resource of a datasource that does not exist and a URI
                      that names no resource
  raw_post            POST an initialize request with plain HTTP and report the status (HTTP only)

Invariant: observes and reports; never decides whether a test passed.
"""

import argparse
import asyncio
import json
import sys

import httpx2
import mcp
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client


def tool_result(result):
    """The observable parts of a CallToolResult."""
    text = [block.text for block in result.content if getattr(block, "type", "") == "text"]
    return {
        "is_error": bool(result.is_error),
        "structured": result.structured_content,
        "text": text,
    }


def resource_error(error):
    """The observable parts of an MCP error answering a resources/read."""
    return {"code": error.code, "message": error.message, "data": error.data}


async def resources_step(session, args):
    """resources/list, then resources/read of --datasource's schema, an unknown one and a bad URI."""
    observed = {"capability": session.server_capabilities.resources is not None}
    listed = await session.list_resources()
    observed["list"] = [
        {
            "uri": str(resource.uri),
            "name": resource.name,
            "description": resource.description,
            "mime_type": resource.mime_type,
        }
        for resource in listed.resources
    ]
    read = await session.read_resource(f"analyst://datasources/{args.datasource}/schema")
    observed["read"] = [
        {"uri": str(contents.uri), "mime_type": contents.mime_type, "text": getattr(contents, "text", None)}
        for contents in read.contents
    ]
    try:
        await session.read_resource("analyst://datasources/no_such_datasource/schema")
        observed["read_unknown"] = None
    except mcp.MCPError as error:
        observed["read_unknown"] = resource_error(error)
    try:
        await session.read_resource("analyst://nothing/here")
        observed["read_unknown_uri"] = None
    except mcp.MCPError as error:
        observed["read_unknown_uri"] = resource_error(error)
    return observed


async def run_steps(session, args):
    observations = {}
    initialize_result = await session.initialize()
    observations["server_name"] = initialize_result.server_info.name
    observations["protocol_version"] = initialize_result.protocol_version
    last_job_id = args.job_id
    for step in args.steps.split(","):
        if step == "tools":
            tools = await session.list_tools()
            observations["tools"] = {
                tool.name: {
                    "input_schema": tool.input_schema,
                    "output_schema": tool.output_schema,
                    "description": tool.description,
                }
                for tool in tools.tools
            }
        elif step == "list_datasources":
            observations[step] = tool_result(await session.call_tool("list_datasources", {}))
        elif step == "describe":
            observations[step] = tool_result(
                await session.call_tool("describe_datasource", {"datasource": args.datasource})
            )
        elif step == "suggest":
            observations[step] = tool_result(
                await session.call_tool("suggest_questions", {"datasource": args.datasource})
            )
        elif step == "ask":
            observed = tool_result(
                await session.call_tool(
                    "ask",
                    {"question": args.question, "datasource": args.datasource, "wait_seconds": 30},
                    read_timeout_seconds=60,
                )
            )
            observations[step] = observed
            if observed["structured"] and "job_id" in observed["structured"]:
                last_job_id = observed["structured"]["job_id"]
        elif step == "approve":
            observations[step] = tool_result(
                await session.call_tool("approve", {"job_id": last_job_id})
            )
        elif step == "delete_sql":
            observations[step] = tool_result(
                await session.call_tool(
                    "run_sql",
                    {"sql": "DELETE FROM restaurant", "datasource": args.datasource, "wait_seconds": 30},
                    read_timeout_seconds=60,
                )
            )
        elif step == "select_sql":
            observations[step] = tool_result(
                await session.call_tool(
                    "run_sql",
                    {"sql": args.sql, "datasource": args.datasource, "wait_seconds": 30},
                    read_timeout_seconds=60,
                )
            )
        elif step == "resources":
            observations[step] = await resources_step(session, args)
        elif step == "raw_post":
            pass
        else:
            raise SystemExit(f"unknown step {step}")
    return observations


async def raw_initialize_status(args):
    """The HTTP status of a bare initialize POST, with the key when one is given."""
    headers = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
    if args.key:
        headers["authorization"] = f"Bearer {args.key}"
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"},
        },
    }
    async with httpx2.AsyncClient() as client:
        response = await client.post(args.url, json=body, headers=headers)
        try:
            response_body = response.json()
        except ValueError:
            response_body = None
        return {"status": response.status_code, "body": response_body}


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--key", default="")
    parser.add_argument("--steps", default="tools")
    parser.add_argument("--datasource", default="restaurants")
    parser.add_argument("--question", default="How many restaurants are there in each city?")
    parser.add_argument("--sql", default="SELECT 1 AS one")
    parser.add_argument("--job-id")
    parser.add_argument("--stdio-command", nargs=argparse.REMAINDER)
    args = parser.parse_args()

    report = {"mcp_sdk_version": getattr(mcp, "__version__", None)}
    if "raw_post" in args.steps.split(","):
        report["raw_post"] = await raw_initialize_status(args)
    try:
        if args.stdio_command:
            server = StdioServerParameters(command=args.stdio_command[0], args=args.stdio_command[1:])
            async with stdio_client(server) as (read_stream, write_stream):
                async with mcp.ClientSession(read_stream, write_stream) as session:
                    report.update(await run_steps(session, args))
        else:
            headers = {"authorization": f"Bearer {args.key}"} if args.key else {}
            async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60.0)) as http_client:
                async with streamable_http_client(args.url, http_client=http_client) as (
                    read_stream,
                    write_stream,
                ):
                    async with mcp.ClientSession(read_stream, write_stream) as session:
                        report.update(await run_steps(session, args))
    except Exception as error:  # noqa: BLE001 - the failure itself is the observation
        report["session_error"] = f"{type(error).__name__}: {error}"
    json.dump(report, sys.stdout, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    asyncio.run(main())
