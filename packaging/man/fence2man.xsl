<?xml version="1.0"?>
<!--
  A section 8 man page from a fence agent's metadata (`fence_ipmilan_rs -o metadata`), so the man page
  comes from the same option table as argv parsing, stdin parsing and help.
  xsltproc -stringparam version 0.1.0 fence2man.xsl metadata.xml > fence_ipmilan_rs.8
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="roff.xsl"/>
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:param name="version" select="''"/>

  <xsl:template match="/resource-agent">
    <xsl:variable name="self" select="@name"/>
    <xsl:variable name="alias" select="symlink[@name = $self]"/>
    <xsl:text>.TH </xsl:text>
    <xsl:value-of select="translate(@name, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"/>
    <xsl:text> 8 "" "masakari-pcmk </xsl:text>
    <xsl:value-of select="$version"/>
    <xsl:text>" "System Manager's Manual"&#10;.SH NAME&#10;</xsl:text>
    <xsl:call-template name="roff">
      <xsl:with-param name="text" select="@name"/>
    </xsl:call-template>
    <xsl:text> \- </xsl:text>
    <xsl:choose>
      <xsl:when test="$alias">
        <xsl:call-template name="roff">
          <xsl:with-param name="text" select="$alias/@shortdesc"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="roff">
          <xsl:with-param name="text" select="@shortdesc"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:text>&#10;.SH SYNOPSIS&#10;.B </xsl:text>
    <xsl:call-template name="roff">
      <xsl:with-param name="text" select="@name"/>
    </xsl:call-template>
    <xsl:text>&#10;[\fIOPTION\fR]...&#10;.SH DESCRIPTION&#10;</xsl:text>
    <xsl:call-template name="paragraph">
      <xsl:with-param name="text" select="longdesc"/>
    </xsl:call-template>
    <xsl:text>.PP&#10;Pacemaker runs the agent with its options as \fIname\fR=\fIvalue\fR lines on standard input;&#10;</xsl:text>
    <xsl:text>by hand, the same options are given as command-line arguments.&#10;</xsl:text>
    <xsl:if test="symlink[@name != $self]">
      <xsl:text>.PP&#10;The same agent is installed under other names, each with its own defaults:&#10;</xsl:text>
      <xsl:for-each select="symlink[@name != $self]">
        <xsl:text>.BR </xsl:text>
        <xsl:value-of select="@name"/>
        <xsl:text> (8)</xsl:text>
        <xsl:if test="position() != last()">
          <xsl:text>,</xsl:text>
        </xsl:if>
        <xsl:text>&#10;</xsl:text>
      </xsl:for-each>
    </xsl:if>
    <xsl:text>.SH OPTIONS&#10;</xsl:text>
    <xsl:for-each select="parameters/parameter[not(@deprecated = '1') and getopt/@mixed]">
      <xsl:text>.TP&#10;.B </xsl:text>
      <xsl:call-template name="roff">
        <xsl:with-param name="text" select="getopt/@mixed"/>
      </xsl:call-template>
      <xsl:text>&#10;</xsl:text>
      <xsl:call-template name="describe"/>
    </xsl:for-each>
    <xsl:text>.SH ACTIONS&#10;</xsl:text>
    <xsl:for-each select="actions/action">
      <xsl:text>.TP&#10;.B </xsl:text>
      <xsl:value-of select="@name"/>
      <xsl:text>&#10;</xsl:text>
      <xsl:call-template name="action-text"/>
    </xsl:for-each>
    <xsl:text>.SH STDIN PARAMETERS&#10;</xsl:text>
    <xsl:for-each select="parameters/parameter">
      <xsl:text>.TP&#10;.B </xsl:text>
      <xsl:call-template name="roff">
        <xsl:with-param name="text" select="@name"/>
      </xsl:call-template>
      <xsl:text>&#10;</xsl:text>
      <xsl:call-template name="describe"/>
      <xsl:if test="@obsoletes">
        <xsl:text>Obsoletes: </xsl:text>
        <xsl:value-of select="@obsoletes"/>
        <xsl:text>&#10;</xsl:text>
      </xsl:if>
      <xsl:if test="@deprecated = '1'">
        <xsl:text>Deprecated: accepted for compatibility.&#10;</xsl:text>
      </xsl:if>
    </xsl:for-each>
    <xsl:text>.SH EXIT STATUS&#10;0 on success, 1 on failure (including bad options), 2 when the device is off&#10;</xsl:text>
    <xsl:text>for the status action, as every fence agent does.&#10;</xsl:text>
    <xsl:text>.SH SEE ALSO&#10;.BR stonith_admin (8),&#10;.BR pacemaker-fenced (7)&#10;</xsl:text>
  </xsl:template>

  <!-- The shortdesc of a parameter, then its default, choices and whether it is required. -->
  <xsl:template name="describe">
    <xsl:call-template name="roff">
      <xsl:with-param name="text" select="shortdesc"/>
    </xsl:call-template>
    <xsl:text>&#10;</xsl:text>
    <xsl:if test="content/@default">
      <xsl:text>(Default Value: </xsl:text>
      <xsl:call-template name="roff">
        <xsl:with-param name="text" select="content/@default"/>
      </xsl:call-template>
      <xsl:text>)&#10;</xsl:text>
    </xsl:if>
    <xsl:if test="content/option">
      <xsl:text>Choices: </xsl:text>
      <xsl:for-each select="content/option">
        <xsl:value-of select="@value"/>
        <xsl:if test="position() != last()">
          <xsl:text>, </xsl:text>
        </xsl:if>
      </xsl:for-each>
      <xsl:text>&#10;</xsl:text>
    </xsl:if>
    <xsl:if test="@required = '1'">
      <xsl:text>This parameter is always required.&#10;</xsl:text>
    </xsl:if>
  </xsl:template>

  <xsl:template name="action-text">
    <xsl:choose>
      <xsl:when test="@name = 'on'">Power on machine.</xsl:when>
      <xsl:when test="@name = 'off'">Power off machine.</xsl:when>
      <xsl:when test="@name = 'reboot'">Reboot machine.</xsl:when>
      <xsl:when test="@name = 'status'">This returns the status of the plug/virtual machine.</xsl:when>
      <xsl:when test="@name = 'monitor'">Check the health of fence device.</xsl:when>
      <xsl:when test="@name = 'metadata'">Display the XML metadata describing this resource.</xsl:when>
      <xsl:when test="@name = 'manpage'">Same as metadata (fence-agents builds its man pages from it).</xsl:when>
      <xsl:when test="@name = 'validate-all'">Validate if all required parameters are entered.</xsl:when>
      <xsl:when test="@name = 'diag'">Pulse a diagnostic interrupt to the processor(s).</xsl:when>
      <xsl:when test="@name = 'list'">List available plugs with aliases/virtual machines if there is support for more then one device.</xsl:when>
      <xsl:when test="@name = 'list-status'">List available plugs with their status.</xsl:when>
      <xsl:otherwise>See the agent's documentation.</xsl:otherwise>
    </xsl:choose>
    <xsl:text>&#10;</xsl:text>
  </xsl:template>

</xsl:stylesheet>
