<?xml version="1.0"?>
<!--
  A section 7 man page (ocf_<provider>_<agent>.7, as resource-agents names them) from an OCF resource
  agent's meta-data, so the page comes from the agent's own parameter table.
  xsltproc -stringparam provider masakari -stringparam version 0.1.0 ocf2man.xsl meta-data.xml
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="roff.xsl"/>
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:param name="provider" select="''"/>
  <xsl:param name="version" select="''"/>

  <xsl:template match="/resource-agent">
    <xsl:variable name="page" select="concat('ocf_', $provider, '_', @name)"/>
    <xsl:text>.TH </xsl:text>
    <xsl:value-of select="translate($page, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"/>
    <xsl:text> 7 "" "masakari-pcmk </xsl:text>
    <xsl:value-of select="$version"/>
    <xsl:text>" "OCF resource agents"&#10;.SH NAME&#10;</xsl:text>
    <xsl:call-template name="roff">
      <xsl:with-param name="text" select="$page"/>
    </xsl:call-template>
    <xsl:text> \- </xsl:text>
    <xsl:call-template name="roff">
      <xsl:with-param name="text" select="shortdesc"/>
    </xsl:call-template>
    <xsl:text>&#10;.SH SYNOPSIS&#10;.B ocf:</xsl:text>
    <xsl:value-of select="concat($provider, ':', @name)"/>
    <xsl:text>&#10;[\fIname\fR=\fIvalue\fR]...&#10;.SH DESCRIPTION&#10;</xsl:text>
    <xsl:call-template name="paragraph">
      <xsl:with-param name="text" select="longdesc"/>
    </xsl:call-template>
    <xsl:text>.SH PARAMETERS&#10;</xsl:text>
    <xsl:for-each select="parameters/parameter">
      <xsl:text>.TP&#10;.B </xsl:text>
      <xsl:call-template name="roff">
        <xsl:with-param name="text" select="@name"/>
      </xsl:call-template>
      <xsl:text>&#10;</xsl:text>
      <xsl:call-template name="paragraph">
        <xsl:with-param name="text" select="longdesc"/>
      </xsl:call-template>
      <xsl:text>(</xsl:text>
      <xsl:value-of select="content/@type"/>
      <xsl:if test="content/@default">
        <xsl:text>, default </xsl:text>
        <xsl:call-template name="roff">
          <xsl:with-param name="text" select="content/@default"/>
        </xsl:call-template>
      </xsl:if>
      <xsl:if test="content/option">
        <xsl:text>; one of </xsl:text>
        <xsl:for-each select="content/option">
          <xsl:value-of select="@value"/>
          <xsl:if test="position() != last()">
            <xsl:text>, </xsl:text>
          </xsl:if>
        </xsl:for-each>
      </xsl:if>
      <xsl:if test="@required = '1'">
        <xsl:text>; required</xsl:text>
      </xsl:if>
      <xsl:if test="@reloadable = '1'">
        <xsl:text>; reloadable</xsl:text>
      </xsl:if>
      <xsl:text>)&#10;</xsl:text>
    </xsl:for-each>
    <xsl:text>.SH ACTIONS&#10;.nf&#10;</xsl:text>
    <xsl:for-each select="actions/action">
      <xsl:text>\fB</xsl:text>
      <xsl:value-of select="@name"/>
      <xsl:text>\fR</xsl:text>
      <xsl:if test="@timeout">
        <xsl:text>  timeout=</xsl:text>
        <xsl:value-of select="@timeout"/>
      </xsl:if>
      <xsl:if test="@interval">
        <xsl:text>  interval=</xsl:text>
        <xsl:value-of select="@interval"/>
      </xsl:if>
      <xsl:if test="@depth">
        <xsl:text>  depth=</xsl:text>
        <xsl:value-of select="@depth"/>
      </xsl:if>
      <xsl:text>&#10;</xsl:text>
    </xsl:for-each>
    <xsl:text>.fi&#10;.SH EXAMPLE&#10;.nf&#10;pcs resource create </xsl:text>
    <xsl:value-of select="@name"/>
    <xsl:text> ocf:</xsl:text>
    <xsl:value-of select="concat($provider, ':', @name)"/>
    <xsl:text>&#10;pcs constraint location </xsl:text>
    <xsl:value-of select="@name"/>
    <xsl:text> rule score=\-INFINITY '#kind' ne cluster</xsl:text>
    <xsl:text>&#10;.fi&#10;Without the location rule Pacemaker may place the resource on a pacemaker\-remote node,</xsl:text>
    <xsl:text>&#10;the very kind of node it watches.&#10;.SH SEE ALSO&#10;.BR masakari-hostmonitor (1),&#10;.BR ocf-tester (8)&#10;</xsl:text>
  </xsl:template>
</xsl:stylesheet>
